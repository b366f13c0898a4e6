/**
 * Faults part B, scenario 5: a folder the account syncs is deleted on the server. The account names that folder
 * in plain words, every other folder keeps syncing (whatever the order of the list), and what was stored from
 * the deleted folder stays.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '@/test/reliability/support/scenarios';
import { startTokenFixture, type TokenFixture } from '@/test/reliability/support/token-fixture';

const ADDRESS = 'alice@contoso.test';
const GONE = 'Projects';
let t: TokenFixture;
let schema: typeof import('@/lib/db/schema');

beforeAll(async () => {
  t = await startTokenFixture([ADDRESS]);
  schema = await import('@/lib/db/schema');
}, 120_000);
afterAll(async () => t?.stop());

const storedIn = async (folder: string) => {
  const [row] = await t.f.db
    .select({ n: sql<number>`count(*)::int` })
    .from(schema.messages)
    .where(and(eq(schema.messages.accountId, t.idOf(ADDRESS)), eq(schema.messages.folder, folder)));
  return row?.n ?? 0;
};

describe('a synced folder deleted on the server', () => {
  it('reports that folder plainly and keeps syncing the others', async () => {
    const id = t.idOf(ADDRESS);
    await t.f.harness.seed.createFolder(ADDRESS, GONE);
    await t.f.harness.seed.messages(ADDRESS, { count: 25, seed: 95, folder: GONE });
    await t.f.harness.seed.messages(ADDRESS, { count: 30, seed: 96 });
    // The deleted folder first in the list: INBOX must not depend on it.
    await t.f.db
      .update(schema.mailAccounts)
      .set({ folders: [GONE, 'INBOX'] })
      .where(eq(schema.mailAccounts.id, id));
    expect((await t.pass()).accounts[0]).toMatchObject({ outcome: 'success', fetched: 55 });

    await t.f.harness.dovecot.doveadm(['expunge', '-u', ADDRESS, 'mailbox', GONE, 'all']);
    await t.f.harness.dovecot.doveadm(['mailbox', 'delete', '-u', ADDRESS, GONE]);
    await t.f.harness.seed.messages(ADDRESS, { count: 10, seed: 96, offset: 30 });

    const report = await t.pass({ laterMs: 3_600_000 });
    expect(report.accounts[0]).toMatchObject({ fetched: 10 });
    expect(report.accounts[0]?.error).toMatchObject({
      code: 'imap.folder_missing',
      message: expect.stringContaining(`“${GONE}”`),
    });
    const row = await t.account(ADDRESS);
    expect(row.lastError).toMatchObject({
      code: 'imap.folder_missing',
      message: expect.stringContaining(`“${GONE}”`),
      hint: expect.any(String),
    });
    expect(row.lastError?.message).not.toMatch(/NONEXISTENT|Mailbox doesn't exist|Error:/);
    expect(row).toMatchObject({ status: 'active', leaseOwner: null });

    // INBOX: exact. The deleted folder: its 25 stored rows are kept.
    const inbox = await t.exactness(ADDRESS);
    expect(inbox).toEqual({ expected: 40, stored: 40, lost: 0, duplicated: 0, altered: 0 });
    expect(await storedIn(GONE)).toBe(25);

    // The next runs keep INBOX flowing: the missing folder does not escalate the account to a stop.
    await t.f.harness.seed.messages(ADDRESS, { count: 5, seed: 96, offset: 40 });
    for (let hour = 2; hour <= 13; hour += 1) await t.pass({ laterMs: hour * 3_600_000 });
    const later = await t.account(ADDRESS);
    expect(later.status).toBe('active');
    expect(later.lastError?.code).toBe('imap.folder_missing');
    const final = await t.exactness(ADDRESS);
    expect(final).toEqual({ expected: 45, stored: 45, lost: 0, duplicated: 0, altered: 0 });
    await recordScenario({
      group: 'faults',
      scenario: 'a synced folder deleted on the server (listed before INBOX)',
      expected: final.expected + 25,
      stored: final.stored + (await storedIn(GONE)),
      lost: final.lost,
      duplicated: final.duplicated,
      note: `last_error names “${GONE}” (imap.folder_missing); INBOX 0/0 over 13 runs; 25 stored from it kept`,
    });
  }, 180_000);
});
