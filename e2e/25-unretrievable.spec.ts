import { randomUUID } from 'node:crypto';
import { ensureSignedIn, resetConsole } from './support/console-state';
import { openWorldDb } from './support/db-snapshot';
import { expect, test } from './support/test';

// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

// A mailbox whose Exchange lists two messages it will not serve (recorded by the sync; the recording itself is
// covered by test/sync-exchange.test.ts). Its own account row, removed again, so the spec runs alone or in order.
const ADDRESS = 'unserved-e2e@contoso.test';

test('the account page lists messages Exchange would not hand over, in plain words', async ({ page }) => {
  const sql = openWorldDb();
  const id = randomUUID();
  try {
    await sql`insert into mail_accounts (id, email_address, home_account_id, tenant_id, sign_in_address, imap_user)
      values (${id}, ${ADDRESS}, ${`${randomUUID()}.${randomUUID()}`}, ${randomUUID()}, ${ADDRESS}, ${ADDRESS})`;
    await sql`insert into unretrievable_messages (account_id, folder, uidvalidity, uid, reason, attempts)
      values (${id}, 'INBOX', 7, 42, 'no_data', 3), (${id}, 'Archive', 9, 5, 'placeholder', 1)`;

    await ensureSignedIn(page);
    await page.goto(`/channels/microsoft365/accounts/${id}`);
    await expect(page.getByRole('link', { name: '2 not retrievable yet' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Not retrievable yet: 2 messages' })).toBeVisible();
    await expect(page.getByText(/every sync asks again and stores them as soon as Exchange does/)).toBeVisible();
    const table = page.getByRole('table', { name: 'Messages not retrievable yet' });
    const inbox = table.getByRole('row').filter({ hasText: 'INBOX' });
    await expect(inbox).toContainText('42');
    await expect(inbox).toContainText('it sent nothing when asked for the message');
    await expect(inbox.getByRole('cell').last()).toHaveText('3');
    await expect(table.getByRole('row').filter({ hasText: 'Archive' })).toContainText(
      'Retrieval using the IMAP4 protocol failed',
    );
  } finally {
    await sql`delete from mail_accounts where id = ${id}`;
    await sql.end();
  }
});
