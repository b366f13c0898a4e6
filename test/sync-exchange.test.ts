/**
 * The sync against Exchange Online's IMAP personality: what real tenants do that Dovecot never does.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serverSources, startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import { imapUid } from '@/test/support/stored-uids';

let bed: SyncTestbed;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed();
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());
afterEach(() => {
  const exchange = personality();
  exchange.unfetchable.clear();
  exchange.placeholder.clear();
  exchange.settings.variant = 'rev1';
  exchange.settings.throttle = undefined;
});

function personality() {
  if (!bed.harness.exchange) throw new Error('The Exchange personality is off');
  return bed.harness.exchange;
}

async function storedUids(accountId: string): Promise<number[]> {
  const rows = await bed.db
    .select({ uid: imapUid })
    .from(schema.messages)
    .where(eq(schema.messages.accountId, accountId))
    .orderBy(asc(schema.messages.uid));
  return rows.map((row) => row.uid);
}

async function recorded(accountId: string) {
  return bed.db
    .select()
    .from(schema.unretrievableMessages)
    .where(eq(schema.unretrievableMessages.accountId, accountId))
    .orderBy(asc(schema.unretrievableMessages.uid));
}

async function watermark(accountId: string): Promise<number | undefined> {
  const [state] = await bed.db
    .select()
    .from(schema.mailFolderState)
    .where(eq(schema.mailFolderState.accountId, accountId));
  return state?.lastUid;
}

/** Deletes one INBOX message on the server, as a user's other client would. */
async function deleteOnServer(address: string, uid: number) {
  const token = await bed.tokenFor(address);
  const { ImapFlow } = await import('imapflow');
  const imap = new ImapFlow({
    host: '127.0.0.1',
    port: bed.harness.imapPort,
    secure: false,
    auth: { user: address, accessToken: token },
    logger: false,
  });
  await imap.connect();
  await imap.mailboxOpen('INBOX');
  await imap.messageDelete(`${uid}`, { uid: true });
  await imap.logout();
}

describe('messages Exchange lists but does not serve', () => {
  it('records them, never stores the placeholder, retries them, and stores them once they come back', async () => {
    const address = 'unserved@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 6, seed: 21 });
    personality().unfetchable.add({ mailbox: address, folder: 'INBOX', uid: 2 });
    personality().placeholder.add({ mailbox: address, folder: 'INBOX', uid: 4 });
    personality().unfetchable.add({ mailbox: address, folder: 'INBOX', uid: 6 });

    const first = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(first.accounts).toMatchObject([{ outcome: 'success', fetched: 3 }]);
    expect(await storedUids(accountId)).toEqual([1, 3, 5]);
    expect((await recorded(accountId)).map((r) => [r.uid, r.reason, r.attempts])).toEqual([
      [2, 'no_data', 1],
      [4, 'placeholder', 1],
      [6, 'no_data', 1],
    ]);
    // The watermark may pass them only because they are recorded.
    expect(await watermark(accountId)).toBeGreaterThanOrEqual(5);

    // Still not served on the next run: tried again, one more attempt each.
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect((await recorded(accountId)).map((r) => r.attempts)).toEqual([2, 2, 2]);

    // Exchange serves two of them again; the third is deleted in the mailbox meanwhile.
    personality().unfetchable.clear();
    personality().placeholder.clear();
    await deleteOnServer(address, 6);

    const third = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(third.accounts).toMatchObject([{ outcome: 'success', fetched: 2 }]);
    expect(await storedUids(accountId)).toEqual([1, 2, 3, 4, 5]);
    expect(await recorded(accountId)).toEqual([]);
    const subjects = await bed.db
      .select({ subject: schema.messages.subject })
      .from(schema.messages)
      .where(eq(schema.messages.accountId, accountId));
    expect(subjects.some((row) => /Retrieval using the IMAP4 protocol failed/.test(row.subject ?? ''))).toBe(false);
  });
});

describe('new UIDs the metadata FETCH leaves out (no UID SEARCH up front)', () => {
  it('asks UID SEARCH about the gaps only: an unserved one is recorded, an expunged one forgotten', async () => {
    const address = 'gaps@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 4, seed: 51 });
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(await watermark(accountId)).toBe(4);

    // UIDs 5–10 arrive; 7 is deleted before the run, 10 (the last, UIDNEXT - 1) is listed but not served.
    await bed.harness.seed.messages(address, { count: 6, seed: 51, offset: 4 });
    await deleteOnServer(address, 7);
    personality().unfetchable.add({ mailbox: address, folder: 'INBOX', uid: 10 });

    const searches = () => personality().stats.byCommand['UID SEARCH'] ?? 0;
    const before = searches();
    const run = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(run.accounts).toMatchObject([{ outcome: 'success', fetched: 4 }]);
    expect(searches() - before).toBe(1);
    expect(await storedUids(accountId)).toEqual([1, 2, 3, 4, 5, 6, 8, 9]);
    expect((await recorded(accountId)).map((r) => [r.uid, r.reason])).toEqual([[10, 'no_data']]);
    expect(await watermark(accountId)).toBeGreaterThanOrEqual(9);
  });
});

describe('not retrievable across a UIDVALIDITY change', () => {
  it('drops the old generation’s records: the messages are listed again under new UIDs', async () => {
    const address = 'unserved-validity@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 3, seed: 41 });
    personality().unfetchable.add({ mailbox: address, folder: 'INBOX', uid: 2 });
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect((await recorded(accountId)).map((r) => r.uid)).toEqual([2]);

    personality().unfetchable.clear();
    await bed.harness.seed.changeUidValidity(address);
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(await recorded(accountId)).toEqual([]);
  });
});

describe('throttling', () => {
  it('keeps what it stored, waits the suggested time and does not count a failure', async () => {
    const address = 'throttled-exchange@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 40, seed: 31 });
    // Login, CAPABILITY, ID, NAMESPACE, LIST, STATUS, SELECT, SEARCH, metadata FETCH, then batches of 5, each a
    // FETCH of its own (one FETCH carries at most `bytes` of batches, here 1).
    personality().settings.throttle = { afterCommands: 12, backoffMs: 3_000 };
    const before = Date.now();
    // One connection: what a throttled run leaves behind (test/sync-parallel.test.ts throttles a parallel one).
    const first = await runSync(bed.deps({ batch: { messages: 5, bytes: 1 }, connectionsPerMailbox: 1 }), {
      trigger: 'manual',
      accountIds: [accountId],
    });
    expect(first.accounts).toMatchObject([{ outcome: 'partial', error: { code: 'throttled' } }]);
    const stored = (await storedUids(accountId)).length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(40);
    const [row] = await bed.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, accountId));
    expect(row).toMatchObject({ status: 'active', consecutiveFailures: 0, lastError: { code: 'throttled' } });
    expect(row?.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 3_000);

    personality().settings.throttle = undefined;
    const second = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(second.accounts).toMatchObject([{ outcome: 'success', fetched: 40 - stored }]);
    expect(await storedUids(accountId)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

describe('Exchange quirks the sync must not depend on', () => {
  it('uses only commands Exchange implements, in every after-fetch mode', async () => {
    const before = personality().stats.argumentErrors;
    for (const afterFetch of ['keep', 'mark_seen', 'delete'] as const) {
      const address = `modes-${afterFetch.replace('_', '-')}@contoso.test`;
      const accountId = await bed.addAccount(address, { afterFetch });
      await bed.harness.seed.messages(address, { count: 4, seed: 3 });
      const report = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
      expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 4 }]);
    }
    expect(personality().stats.argumentErrors).toBe(before);
  });

  it('stores the served bytes and their length, not the RFC822.SIZE estimate', async () => {
    const address = 'estimate@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 8, seed: 5 });
    const report = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 8 }]);
    const served = await serverSources(bed.harness, address, await bed.tokenFor(address));
    const rows = await bed.db
      .select({ uid: imapUid, size: schema.messages.size, sha256: schema.messageSources.sha256 })
      .from(schema.messages)
      .innerJoin(schema.messageSources, eq(schema.messageSources.messageId, schema.messages.id))
      .where(eq(schema.messages.accountId, accountId));
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.sha256).toBe(served.get(row.uid));
  });

  it('syncs a tenant that announces ENABLE IMAP4rev2 without enabling it', async () => {
    personality().settings.variant = 'rev2';
    const address = 'rev2@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 5, seed: 9 });
    const report = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 5 }]);
    expect(await storedUids(accountId)).toEqual([1, 2, 3, 4, 5]);
  });
});
