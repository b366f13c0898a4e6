import { expect, test } from './support/test';
import { ensureSignedIn, resetConsole } from './support/console-state';
import { expectAccessible } from './support/page-checks';
import { ALICE, BOB, E2E_APP, harnessControl, world } from './support/world';

test.describe.configure({ mode: 'serial' });
test.beforeAll(resetConsole);

const CALLBACK_PATH = '/api/v1/external_credentials/microsoft365/callback';
// Exchange's RBAC for Applications lets the app open Bob's mailbox only; Alice's is outside the scope. Over IMAP
// and SMTP the app's Exchange service principal holds a mailbox permission on Alice's mailbox only.
const registration = (rbac: boolean) => ({
  ...E2E_APP,
  redirectUris: [`${world().baseUrl}${CALLBACK_PATH}`],
  audience: 'single' as const,
  rbacAssignments: rbac
    ? [
        { role: 'Application Mail.ReadWrite', mailboxes: [BOB.address] },
        { role: 'Application Mail.Send', mailboxes: [BOB.address] },
      ]
    : [],
  exchangePermissions: rbac ? (['IMAP.AccessAsApp', 'SMTP.SendAsApp'] as const).slice() : [],
  exchangeServicePrincipal: rbac,
  mailboxPermissions: rbac ? [ALICE.address] : [],
});
test.beforeAll(async () => void (await harnessControl().registerApp(registration(true))));
test.afterAll(async () => void (await harnessControl().registerApp(registration(false))));

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

test('app form: application access per transport, each with its Exchange PowerShell', async ({ page }) => {
  await page.goto('/channels/microsoft365');
  await expect(page.getByRole('radio', { name: /IMAP and SMTP/ })).toBeChecked();
  await expect(page.getByRole('radio', { name: /Delegated/ })).toBeChecked();
  await page.getByLabel('Application (client) ID').fill(E2E_APP.clientId);
  await page.getByLabel('Client secret').fill(E2E_APP.clientSecret);
  await page.getByLabel('Directory (tenant) ID or domain').fill(E2E_APP.tenant);
  // Keyboard: arrow keys move within a radio group.
  await page.getByRole('radio', { name: /Delegated/ }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: /Application \(no sign-in\)/ })).toBeChecked();
  await expect(page.getByText(/^IMAP\.AccessAsApp$/)).toBeVisible();
  await expect(page.getByText(/New-ServicePrincipal -AppId/)).toBeVisible();
  await expect(page.getByText(/Add-MailboxPermission -Identity/)).toBeVisible();
  await expectAccessible(page, 'app form with application access over IMAP');

  await page.getByRole('radio', { name: /Microsoft Graph/ }).check();
  await expect(page.getByRole('button', { name: 'Copy PowerShell' })).toBeVisible();
  await expect(page.getByText(/-Role "Application Mail\.ReadWrite"/)).toBeVisible();
  await page.getByLabel('Client secret').fill(E2E_APP.clientSecret);
  await page.getByRole('button', { name: 'Connect Microsoft 365 App' }).click();
  await expect(page.getByText(/^Saved\./)).toBeVisible();
  await page.goto('/channels/microsoft365');
  await expect(page.getByTestId('app-mode')).toHaveText('Microsoft Graph · application');
  await expect(page.getByRole('button', { name: 'Add account' })).toHaveCount(0);
});

test('add mailbox: in scope it connects, outside it the refusal names both causes and the fix', async ({ page }) => {
  await page.goto('/channels/microsoft365');
  const mailbox = page.getByLabel('Mailbox address');
  await mailbox.fill('alice@contoso.test');
  await page.getByRole('button', { name: 'Add mailbox' }).click();
  await expect(page.getByText(/management scope that does not include this one/)).toBeVisible();
  await expect(page.getByText(/Test-ServicePrincipalAuthorization/).first()).toBeVisible();
  await expect(page.getByRole('link', { name: 'alice@contoso.test' })).toHaveCount(0);

  await mailbox.fill(BOB.address);
  await page.getByRole('button', { name: 'Add mailbox' }).click();
  await expect(page.getByText(`${BOB.address} is connected: the app opened its Inbox.`)).toBeVisible();
  const row = page.getByRole('row', { name: /bob@contoso\.test/ });
  await expect(row.getByTestId('mailbox-mode')).toHaveText('Microsoft Graph · application');
  await expectAccessible(page, 'Microsoft 365 page with application access');
});

test('send test message from the application mailbox through Graph', async ({ page }) => {
  await page.goto('/channels/microsoft365');
  await page.getByRole('link', { name: BOB.address }).click();
  await expect(page.getByTestId('mailbox-mode')).toHaveText('Microsoft Graph · application');
  await expect(page.getByRole('button', { name: 'Re-authenticate' })).toHaveCount(0);
  // The folder picker lists the mailbox's folders through Graph with the app token, not over IMAP.
  const folders = page.getByRole('group', { name: 'Folders to sync' });
  await expect(folders.getByRole('checkbox', { name: 'INBOX', exact: true })).toBeChecked();
  await expect(page.getByText(/folder list could not be loaded/)).toHaveCount(0);
  await page.getByLabel('To', { exact: true }).fill('alice@contoso.test');
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByText(/Sent to alice@contoso\.test in/)).toBeVisible();
});

test('IMAP and SMTP with application access: PowerShell, add mailbox over IMAP, send test over SMTP', async ({
  page,
}) => {
  await page.goto('/channels/microsoft365');
  await page.getByRole('radio', { name: /IMAP and SMTP/ }).check();
  await page.getByRole('radio', { name: /Application \(no sign-in\)/ }).check();
  await expect(page.getByRole('button', { name: 'Copy PowerShell' })).toBeVisible();
  await expect(page.getByText(/Add-MailboxPermission -Identity .* -AccessRights FullAccess/)).toBeVisible();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText(/^Saved\./)).toBeVisible();
  await page.goto('/channels/microsoft365');
  await expect(page.getByTestId('app-mode')).toHaveText('IMAP and SMTP · application');

  await page.getByLabel('Mailbox address').fill(ALICE.address);
  await page.getByRole('button', { name: 'Add mailbox' }).click();
  await expect(page.getByText(`${ALICE.address} is connected: the app opened its Inbox.`)).toBeVisible();
  const row = page.getByRole('row', { name: /alice@contoso\.test/ });
  await expect(row.getByTestId('mailbox-mode')).toHaveText('IMAP and SMTP · application');
  await page.getByRole('link', { name: ALICE.address }).click();
  await expect(page).toHaveURL(/\/channels\/microsoft365\/accounts\//);
  await expect(page.getByTestId('mailbox-mode')).toHaveText('IMAP and SMTP · application');
  await expect(page.getByRole('button', { name: 'Re-authenticate' })).toHaveCount(0);
  await page.getByLabel('To', { exact: true }).fill(BOB.address);
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByText(/Sent to bob@contoso\.test in/)).toBeVisible();
});
