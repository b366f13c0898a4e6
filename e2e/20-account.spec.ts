import { connectMailbox, ensureApp, ensureSignedIn, resetConsole, withAdminPage } from './support/console-state';
import { ALICE, BOB } from './support/world';
import { expect, test } from './support/test';
import { expectMailFlowVerified } from './support/mail-flow';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);
test.beforeAll(async ({ browser }) => {
  await withAdminPage(browser, async (page) => {
    await ensureApp(page);
    await connectMailbox(page, ALICE);
    await connectMailbox(page, BOB);
  });
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

test('a cancelled sign-in explains itself and “Try again” starts the same sign-in', async ({ page }) => {
  await page.goto('/channels/microsoft365');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { name: 'The mailbox was not connected' })).toBeVisible();
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
});

test('account settings, disable and enable, and removal keeping the mail', async ({ page }) => {
  await page.goto('/channels/microsoft365');
  await page.getByRole('link', { name: 'bob@contoso.test' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'bob@contoso.test' })).toBeVisible();
  // When the sign-in was last renewed (at connect) and when it would lapse: 90 days on, no warning yet.
  await expect(page.getByTestId('sign-in-renewed')).toContainText(/UTC.*Lapses .* UTC unless renewed/);
  await expect(page.getByTestId('sign-in-lapse-warning')).toHaveCount(0);

  // Deleting from the mailbox needs an explicit confirmation.
  await page.getByRole('radio', { name: /Delete from the mailbox/ }).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(
    page.getByText('Confirm that messages are deleted from the mailbox once they are stored here.'),
  ).toBeVisible();
  await page.getByRole('radio', { name: /Mark as read/ }).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved. They apply from the next sync.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('radio', { name: /Mark as read/ })).toBeChecked();

  await page.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByText('Disabled: the mailbox is not synced until enabled.')).toBeVisible();
  await expect(page.locator('[data-status="disabled"]').first()).toBeVisible();
  await page.getByRole('button', { name: 'Enable' }).click();
  await expect(page.getByText('Enabled: the mailbox syncs again.')).toBeVisible();

  await page.getByText('Remove this mailbox').click();
  await page.getByRole('button', { name: 'Remove mailbox' }).click();
  await expect(page.getByText('Confirm the removal.')).toBeVisible();
  await page.getByRole('checkbox', { name: /Remove bob@contoso\.test/ }).check();
  await page.getByRole('button', { name: 'Remove mailbox' }).click();
  await expect(page.getByText('The mailbox was removed.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'bob@contoso.test' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Audit log' }).click();
  for (const sentence of [
    'Ada Admin changed the settings of bob@contoso.test: sync INBOX, then mark them as read.',
    'Ada Admin disabled bob@contoso.test.',
    'Ada Admin enabled bob@contoso.test.',
    'Ada Admin removed bob@contoso.test, keeping its stored messages.',
  ]) {
    await expect(page.getByRole('cell', { name: sentence }).first()).toBeVisible();
  }
});

test('sync now shows progress, a test message goes out, and the verify round trip reports both legs', async ({
  page,
}) => {
  test.setTimeout(180_000); // the verify round trip may take its full minute on a loaded machine
  await page.goto('/channels/microsoft365');
  await page.getByRole('button', { name: 'Sync all now' }).click();
  // Progress without a refresh: the started runs are followed until the last one ends.
  await expect(page.locator('[data-sync-outcome]')).toHaveText(
    /^Sync finished for \d+ mailbox(es)?: [\d,]+ new messages?\./,
    {
      timeout: 60_000,
    },
  );

  await page.getByRole('link', { name: 'alice@contoso.test' }).click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.locator('[data-sync-outcome]')).toHaveText(
    /^Sync finished: [\d,]+ new messages?; [\d,]+ messages? stored in total\.$/,
    { timeout: 30_000 },
  );

  await page.getByLabel('To', { exact: true }).fill('not-an-address');
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByText('Enter the recipient’s e-mail address.')).toBeVisible();
  await page.getByLabel('To', { exact: true }).fill('bob@contoso.test');
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByText(/Sent to bob@contoso\.test in/)).toBeVisible();

  await page.getByRole('button', { name: 'Verify mail flow' }).click();
  await expectMailFlowVerified(page);
});
