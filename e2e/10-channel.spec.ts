import type { Page } from '@playwright/test';
import { expect, test } from './support/test';
import { ensureSignedIn, resetConsole } from './support/console-state';
import { E2E_APP, harnessControl } from './support/world';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

const CALLBACK_PATH = '/api/v1/external_credentials/microsoft365/callback';
const seen: string[] = [];

async function visit(page: Page, path: string) {
  await page.goto(path);
  seen.push(await page.content());
}

async function fillApp(page: Page, values: { clientId?: string; secret?: string; tenant?: string }) {
  if (values.clientId !== undefined) await page.getByLabel('Application (client) ID').fill(values.clientId);
  if (values.secret !== undefined) await page.getByLabel('Client secret').fill(values.secret);
  if (values.tenant !== undefined) await page.getByLabel('Directory (tenant) ID or domain').fill(values.tenant);
}

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

test('app credentials: the callback URL to paste, field errors, and a write-only secret', async ({ page, baseURL }) => {
  await visit(page, '/channels/microsoft365');
  await expect(page.getByRole('heading', { name: 'No mailboxes connected' })).toBeVisible();
  await expect(page.getByLabel('Redirect URI (platform: Web)')).toHaveValue(`${baseURL}${CALLBACK_PATH}`);
  await expect(page.getByRole('button', { name: 'Copy callback URL' })).toBeVisible();
  await expect(page.getByText('IMAP.AccessAsUser.All', { exact: true })).toBeVisible();

  await fillApp(page, { clientId: 'not-a-guid', secret: E2E_APP.clientSecret, tenant: 'consumers' });
  await page.getByRole('button', { name: 'Connect Microsoft 365 App' }).click();
  await expect(page.getByText(/Enter the Application \(client\) ID: a GUID/)).toBeVisible();
  await expect(page.getByText(/“Personal Microsoft accounts only” is not supported/).first()).toBeVisible();
  await expect(page.getByLabel('Application (client) ID')).toHaveValue('not-a-guid');
  await expect(page.getByLabel('Client secret')).toHaveValue('');

  await fillApp(page, { clientId: E2E_APP.clientId, secret: E2E_APP.clientSecret, tenant: E2E_APP.tenant });
  await page.getByRole('button', { name: 'Connect Microsoft 365 App' }).click();
  await expect(page.getByText('Saved. Connected mailboxes keep working.')).toBeVisible();
  await visit(page, '/channels/microsoft365');
  await expect(page.getByText(`Set (••••${E2E_APP.clientSecret.slice(-4)})`)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Microsoft 365 app' })).toBeVisible();
});

test('add account: Microsoft sign-in, IMAP proven, listed as active', async ({ page }) => {
  await visit(page, '/channels/microsoft365');
  await page.getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in as Alice Example (alice@contoso.test)' }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'alice@contoso.test' })).toBeVisible();
  await expect(page.getByText('Connected. The mailbox signed in and its IMAP access was verified.')).toBeVisible();
  await expect(page.getByTestId('mailbox-address')).toHaveText('alice@contoso.test');
  seen.push(await page.content());
  await page.getByRole('link', { name: 'Continue to the mailbox' }).click();
  await expect(page.locator('[data-status="active"]').first()).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'INBOX' })).toBeChecked();
  seen.push(await page.content());

  await visit(page, '/channels/microsoft365');
  const row = page.getByRole('row', { name: /alice@contoso\.test/ });
  await expect(row.getByText('Active')).toBeVisible();
  await expect(row.getByText('Alice Example')).toBeVisible();
});

test('re-authenticate the same mailbox in place', async ({ page }) => {
  await visit(page, '/channels/microsoft365');
  await page.getByRole('link', { name: 'alice@contoso.test' }).click();
  await page.getByRole('button', { name: 'Re-authenticate' }).click();
  await page.getByRole('button', { name: 'Sign in as Alice Example (alice@contoso.test)' }).click();
  await expect(
    page.getByText('Re-authenticated. The mailbox signed in and its IMAP access was verified.'),
  ).toBeVisible();
  await visit(page, '/channels/microsoft365');
  await expect(page.getByRole('link', { name: 'alice@contoso.test' })).toHaveCount(1);
});

test('a shared mailbox is connected with a delegate’s sign-in', async ({ page }) => {
  await visit(page, '/channels/microsoft365');
  await page.getByText('Add shared mailbox').click();
  await page.getByLabel('Shared mailbox address').fill('support@contoso.test');
  await page.getByRole('button', { name: 'Sign in as a delegate' }).click();
  await page.getByRole('button', { name: 'Sign in as Alice Example (alice@contoso.test)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'support@contoso.test' })).toBeVisible();
  await expect(page.getByText('Shared mailbox, read with alice@contoso.test’s sign-in')).toBeVisible();
});

test('a changed client ID: Microsoft checks it, the admin confirms how many mailboxes re-authenticate, the old ID restores them', async ({
  page,
  baseURL,
}) => {
  const other = { clientId: '2b3c4d5e-6f70-4819-9a0b-1c2d3e4f5a6b', clientSecret: 'e2e~Other-App-7x' };
  await harnessControl().registerApp({
    ...other,
    redirectUris: [`${baseURL}${CALLBACK_PATH}`],
    audience: 'single',
    tenant: E2E_APP.tenant,
  });
  await visit(page, '/channels/microsoft365');
  // A mistyped client ID is caught by Microsoft before anything changes.
  await fillApp(page, { clientId: '2b3c4d5e-6f70-4819-9a0b-1c2d3e4f5a6c' });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(/Microsoft finds no app with this client ID .*\(AADSTS700016\)/)).toBeVisible();
  await expect(page.getByLabel('Application (client) ID')).toBeFocused();

  await fillApp(page, { clientId: other.clientId, secret: other.clientSecret });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(
    page.getByText('Confirm that 2 mailboxes signed in with the current client ID must re-authenticate.'),
  ).toBeVisible();
  await visit(page, '/channels/microsoft365');
  await expect(page.locator('[data-status="needs_reauth"]')).toHaveCount(0);

  await fillApp(page, { clientId: other.clientId, secret: other.clientSecret });
  await page
    .getByRole('checkbox', { name: /the 2 mailboxes signed in with the current one must re-authenticate/ })
    .check();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(
    page.getByText('Saved. 2 mailboxes signed in with the previous client ID must re-authenticate.'),
  ).toBeVisible();
  await expect(
    page.getByText('Checked with Microsoft: the client ID, secret and tenant belong together.'),
  ).toBeVisible();
  await visit(page, '/channels/microsoft365');
  await expect(page.locator('[data-status="needs_reauth"]')).toHaveCount(2);

  // The previous client ID, its secret left empty: the saved one comes back with it, and so do the mailboxes.
  await fillApp(page, { clientId: E2E_APP.clientId });
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Saved. 2 mailboxes signed in with this client ID before work again.')).toBeVisible();
  await visit(page, '/channels/microsoft365');
  await expect(page.locator('[data-status="needs_reauth"]')).toHaveCount(0);
  await expect(page.locator('[data-status="active"]')).toHaveCount(2);
});

test('a user who may not consent (“Need admin approval”) is led to admin consent', async ({ page }) => {
  await harnessControl().requireAdminConsent(E2E_APP.clientId);
  await visit(page, '/channels/microsoft365');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Sign in as Bob Example (bob@contoso.test)' }).click();
  await expect(page.getByRole('heading', { name: 'Need admin approval' })).toBeVisible();
  await page.getByRole('button', { name: 'Return to the application without granting consent' }).click();

  await expect(page.getByRole('heading', { name: 'The mailbox was not connected' })).toBeVisible();
  await expect(page.getByTestId('connect-error-title')).toHaveText(
    'The sign-in ended without consent, so no mailbox was connected.',
  );
  await expect(page.getByText('access_denied', { exact: true })).toBeVisible();
  seen.push(await page.content());
  await page.getByRole('button', { name: 'Request admin consent' }).click();
  await expect(page.getByRole('heading', { name: 'Permissions requested' })).toBeVisible();
  await page
    .getByRole('button', { name: /Accept as/ })
    .first()
    .click();
  await expect(page.getByText('Admin consent was granted.')).toBeVisible();

  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Sign in as Bob Example (bob@contoso.test)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'bob@contoso.test' })).toBeVisible();
});

test('a callback that was not started here changes nothing and says why', async ({ page }) => {
  await visit(page, `${CALLBACK_PATH}?state=${'a'.repeat(43)}&code=forged`);
  await expect(page.getByTestId('connect-error-title')).toHaveText('This sign-in was not started from this console.');
  await visit(page, `${CALLBACK_PATH}?state=<script>&code=x`);
  await expect(page.getByTestId('connect-error-title')).toHaveText(
    'This sign-in answer is not one the console can read.',
  );
});

test('no page ever contained the client secret or a token', async () => {
  expect(seen.length).toBeGreaterThan(5);
  for (const html of seen) {
    expect(html).not.toContain(E2E_APP.clientSecret);
    expect(html).not.toMatch(/refresh_token|access_token|"secret"/i);
  }
});
