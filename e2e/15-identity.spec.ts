import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { ensureApp, ensureSignedIn, resetConsole } from './support/console-state';
import { expect, test } from './support/test';
import { harnessControl, world } from './support/world';
import { expectMailFlowVerified } from './support/mail-flow';

/**
 * A tenant whose sign-in names (UPNs) live on onmicrosoft and whose mail lives on the company domain: the mailbox
 * connects, sends From its SMTP address and passes the Verify round trip. Runs on its own (sets up what it needs).
 */
test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

const ANA = {
  address: 'ana@contoso.test',
  signInName: 'a.admin@contoso.onmicrosoft.test',
  displayName: 'Ana Identity',
  aliases: ['sales@contoso.test'],
};
const NORA = {
  address: 'nora@contoso.test',
  signInName: 'nora.k@contoso.onmicrosoft.test',
  displayName: 'Nora NoClaim',
  emailClaim: 'none' as const,
};

test.beforeAll(async () => {
  const control = harnessControl();
  for (const user of [ANA, NORA]) if (!(await control.getUser(user.address))) await control.addUser(user);
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

async function connect(page: Page, user: { displayName: string; signInName: string }) {
  await ensureApp(page);
  await page.goto('/channels/microsoft365');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: `Sign in as ${user.displayName} (${user.signInName})` }).click();
  await expect(
    page.getByText(/(Connected|Re-authenticated)\. The mailbox signed in and its IMAP access/),
  ).toBeVisible();
}

/** The From header of the newest message with this subject in a mailbox's INBOX maildir, as the stand-in delivered it. */
async function newestFromIn(mailbox: string, subject: string): Promise<string | undefined> {
  const inbox = path.join(world().mailRoot, mailbox);
  const files: { file: string; at: number }[] = [];
  for (const dir of ['new', 'cur']) {
    for (const name of await readdir(path.join(inbox, dir)).catch(() => [] as string[])) {
      files.push({ file: path.join(inbox, dir, name), at: Number(name.split('.')[0]) || 0 });
    }
  }
  const raws = await Promise.all(files.map(async ({ file }) => (await readFile(file, 'utf8')).split(/\r?\n\r?\n/)[0]));
  const froms = raws
    .filter((head) => head?.includes(subject))
    .map((head) => /^From:\s*(.*)$/im.exec(head ?? '')?.[1]?.trim());
  return froms.at(-1);
}

test('a mailbox whose UPN is not its address connects, sends From its SMTP address and passes Verify', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await connect(page, ANA);
  await expect(page.getByRole('heading', { level: 1, name: ANA.address })).toBeVisible();
  await expect(page.getByTestId('sign-in-name')).toHaveText(ANA.signInName);
  await expect(page.getByTestId('mailbox-address')).toHaveText(ANA.address);
  await expect(page.getByText('Taken from the e-mail address Microsoft sent for this account.')).toBeVisible();

  await page.getByRole('link', { name: 'Continue to the mailbox' }).click();
  await expect(page.getByRole('heading', { level: 1, name: ANA.address })).toBeVisible();
  await page.getByLabel('To', { exact: true }).fill('bob@contoso.test');
  await page.getByLabel('Subject', { exact: true }).fill('Test message from the identity spec');
  await page.getByRole('button', { name: 'Send test message' }).click();
  await expect(page.getByText(/Sent to bob@contoso\.test in/)).toBeVisible();
  await expect
    .poll(() => newestFromIn('bob@contoso.test', 'Test message from the identity spec'))
    .toContain(ANA.address);

  await page.getByRole('button', { name: 'Verify mail flow' }).click();
  await expectMailFlowVerified(page);
  // Verify removes its message from the console's store once seen; the stand-in's copy shows the From it carried.
  expect(await newestFromIn(ANA.address, 'Mailgate 365 mail flow check')).toContain(ANA.address);
});

test('without an email claim the sign-in name is suggested; the admin corrects it and Verify proves it', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await connect(page, NORA);
  await expect(page.getByTestId('mailbox-address')).toHaveText(NORA.signInName);
  await expect(page.getByText(/Microsoft sent no e-mail address for this account/)).toBeVisible();

  await page.getByLabel('Mailbox address', { exact: true }).fill('not an address');
  await page.getByRole('button', { name: 'Save address' }).click();
  await expect(page.getByText('Enter the mailbox’s e-mail address, e.g. alice@contoso.com.')).toBeVisible();
  await page.getByLabel('Mailbox address', { exact: true }).fill(NORA.address);
  await page.getByRole('button', { name: 'Save address' }).click();
  await expect(
    page.getByText(`Saved: mail is sent from and verified at ${NORA.address}.`, { exact: false }),
  ).toBeVisible();

  await page.getByRole('link', { name: 'Continue to the mailbox' }).click();
  await expect(page.getByRole('heading', { level: 1, name: NORA.address })).toBeVisible();
  await page.getByRole('button', { name: 'Verify mail flow' }).click();
  await expectMailFlowVerified(page);

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('cell', { name: 'account.address_changed' }).first()).toBeVisible();
});
