import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplainedFault } from '@/lib/microsoft/errors';
import { startFakeImap } from '@/test/support/sync-fake-imap';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import type { SyncAccount } from '@/lib/sync/types';

let bed: SyncTestbed;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed();
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());

const account = async (id: string) =>
  (await bed.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id)))[0];
const runsOf = (id: string) =>
  bed.db.select().from(schema.syncRuns).where(eq(schema.syncRuns.accountId, id)).orderBy(asc(schema.syncRuns.id));
const uidCounts = (id: string) =>
  bed.db
    .select({ uid: schema.messages.uid, n: sql<number>`count(*)::int` })
    .from(schema.messages)
    .where(eq(schema.messages.accountId, id))
    .groupBy(schema.messages.uid)
    .orderBy(asc(schema.messages.uid));

/** What msal-node's ServerError carries for an expired refresh token. */
function invalidGrant(): Error {
  return Object.assign(new Error('invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.'), {
    errorCode: 'invalid_grant',
    errorMessage: 'AADSTS700082: The refresh token has expired due to inactivity.',
    subError: '',
  });
}

describe('token failures', () => {
  it('marks an invalid_grant account needs_reauth, keeps an app-level failure’s status, and syncs the others', async () => {
    const [expired, secret, fine] = await Promise.all([
      bed.addAccount('expired@contoso.test'),
      bed.addAccount('secret@contoso.test'),
      bed.addAccount('fine@contoso.test'),
    ]);
    await bed.harness.seed.messages('fine@contoso.test', { count: 5, seed: 1 });
    const getAccessToken = async (a: SyncAccount) => {
      if (a.id === expired) throw invalidGrant();
      if (a.id === secret) {
        throw new ExplainedFault({
          code: 'AADSTS7000222',
          title: 'The app’s client secret has expired.',
          explanation: 'Microsoft refuses an expired client secret.',
          action: 'Create a new secret and paste it on the Microsoft 365 page.',
          whoActs: 'azure_admin',
          scope: 'app',
        });
      }
      return bed.tokenFor(a.imapUser);
    };
    const report = await runSync(bed.deps({ getAccessToken }), {
      trigger: 'manual',
      accountIds: [expired, secret, fine],
    });
    const byId = new Map(report.accounts.map((r) => [r.accountId, r]));
    expect(byId.get(fine)).toMatchObject({ outcome: 'success', fetched: 5 });
    expect(byId.get(expired)).toMatchObject({
      outcome: 'failed',
      error: { code: 'AADSTS700082' },
      nextAttemptAt: null,
    });
    expect(byId.get(secret)).toMatchObject({ outcome: 'failed', error: { code: 'AADSTS7000222' } });

    expect(await account(expired)).toMatchObject({
      status: 'needs_reauth',
      consecutiveFailures: 1,
      lastError: { code: 'AADSTS700082' },
      leaseOwner: null,
    });
    const app = await account(secret);
    expect(app).toMatchObject({
      status: 'active',
      consecutiveFailures: 1,
      lastSyncOutcome: 'failed',
      lastError: { code: 'AADSTS7000222', hint: expect.stringMatching(/new secret/) },
    });
    expect(await runsOf(expired)).toMatchObject([{ outcome: 'failed', errorCode: 'AADSTS700082', messages: 0 }]);

    // needs_reauth is not retried on its own, even when due.
    const later = await runSync(bed.deps({ getAccessToken, now: () => new Date(Date.now() + 3 * 3_600_000) }), {
      trigger: 'cron',
    });
    expect(later.accounts.map((r) => r.accountId)).not.toContain(expired);
  });

  it('turns an account to error after ten failures in a row', async () => {
    const id = await bed.addAccount('flaky@contoso.test');
    await bed.db.update(schema.mailAccounts).set({ consecutiveFailures: 9 }).where(eq(schema.mailAccounts.id, id));
    const getAccessToken = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    };
    const report = await runSync(bed.deps({ getAccessToken }), { trigger: 'manual', accountIds: [id] });
    expect(report.accounts[0]).toMatchObject({ outcome: 'failed', error: { code: 'network' }, nextAttemptAt: null });
    expect(await account(id)).toMatchObject({ status: 'error', consecutiveFailures: 10 });
  });
});

describe('server trouble', () => {
  it('honours Exchange’s suggested backoff time when throttled', async () => {
    const fake = await startFakeImap('NO Request is throttled. Suggested Backoff Time: 7200000 milliseconds');
    try {
      const id = await bed.addAccount('throttled@contoso.test');
      const before = Date.now();
      const report = await runSync(
        bed.deps({ imapEndpoint: () => ({ host: '127.0.0.1', port: fake.port, tls: false }) }),
        {
          trigger: 'manual',
          accountIds: [id],
        },
      );
      expect(fake.logins).toBe(1);
      // A pause Exchange asked for, not a failing mailbox: partial, not counted towards the `error` status.
      expect(report.accounts[0]).toMatchObject({ outcome: 'partial', error: { code: 'throttled' } });
      const row = await account(id);
      expect(row).toMatchObject({ status: 'active', consecutiveFailures: 0, lastError: { code: 'throttled' } });
      // Two hours, though one failure alone would wait about a minute.
      expect(row?.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + 7_200_000);
    } finally {
      await fake.close();
    }
  });

  it('loses nothing and duplicates nothing when the connection drops mid-batch', async () => {
    const address = 'dropped@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 120, seed: 77 });
    const proxy = await bed.harness.imapProxy({ dropAfterBytes: 400_000 });
    const viaProxy = () => ({ host: '127.0.0.1', port: proxy.port, tls: false });
    const cut = await runSync(bed.deps({ imapEndpoint: viaProxy, batch: { messages: 25, bytes: 16 * 1024 * 1024 } }), {
      trigger: 'manual',
      accountIds: [id],
    });
    expect(proxy.dropped).toBe(1);
    expect(cut.accounts[0]).toMatchObject({ outcome: 'failed' });
    expect(cut.accounts[0]?.error?.code).toMatch(/^(network|imap\.)/);
    const partial = await uidCounts(id);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(120);
    const failed = await account(id);
    expect(failed).toMatchObject({ consecutiveFailures: 1, lastSyncOutcome: 'failed', leaseOwner: null });
    expect(failed?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    const [state] = await bed.db.select().from(schema.mailFolderState).where(eq(schema.mailFolderState.accountId, id));
    expect(state?.lastUid).toBe(partial.at(-1)?.uid);

    const rerun = await runSync(bed.deps(), { trigger: 'manual', accountIds: [id] });
    expect(rerun.accounts[0]).toMatchObject({ outcome: 'success', fetched: 120 - partial.length });
    const counts = await uidCounts(id);
    expect(counts).toHaveLength(120);
    expect(counts.every((c, i) => c.uid === i + 1 && c.n === 1)).toBe(true);
    expect(await account(id)).toMatchObject({ consecutiveFailures: 0, lastError: null, lastSyncOutcome: 'success' });
  });

  it('commits batches in UID order: when one fails at commit, the next one (already written) rolls back too', async () => {
    const address = 'ordered@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 60, seed: 19 });
    // The third batch (UIDs 21-30) fails at its commit, late enough for the fourth to have written its rows.
    await bed.db.execute(
      sql.raw(`
      create function fail_third_batch() returns trigger language plpgsql as $$
      begin perform pg_sleep(0.5); raise exception 'injected commit failure'; end $$;
      create constraint trigger fail_third_batch after insert on messages deferrable initially deferred
      for each row when (new.uid = 25 and new.account_id = '${id}') execute function fail_third_batch();`),
    );
    try {
      const failed = await runSync(bed.deps({ batch: { messages: 10, bytes: 16 * 1024 * 1024 } }), {
        trigger: 'manual',
        accountIds: [id],
      });
      expect(failed.accounts[0]).toMatchObject({ outcome: 'failed', error: { code: 'sync.store_failed' } });
    } finally {
      await bed.db.execute(sql.raw('drop trigger fail_third_batch on messages; drop function fail_third_batch();'));
    }
    const partial = await uidCounts(id);
    expect(partial.map((c) => c.uid)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const [state] = await bed.db.select().from(schema.mailFolderState).where(eq(schema.mailFolderState.accountId, id));
    expect(state?.lastUid).toBe(20);

    const rerun = await runSync(bed.deps(), { trigger: 'manual', accountIds: [id] });
    expect(rerun.accounts[0]).toMatchObject({ outcome: 'success', fetched: 40 });
    const counts = await uidCounts(id);
    expect(counts.every((c, i) => c.uid === i + 1 && c.n === 1)).toBe(true);
    expect(counts).toHaveLength(60);
  });

  it('stops at the time budget with a partial outcome; the next run resumes from the watermark', async () => {
    const address = 'budget@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 40, seed: 13 });
    // The token arrives after the budget is spent: the account was leased, but no batch may start.
    const slowToken = async (a: SyncAccount) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return bed.tokenFor(a.imapUser);
    };
    const stopped = await runSync(bed.deps({ getAccessToken: slowToken, budgetMs: 200 }), {
      trigger: 'manual',
      accountIds: [id],
    });
    expect(stopped.accounts[0]).toMatchObject({ outcome: 'partial', fetched: 0 });
    const row = await account(id);
    expect(row).toMatchObject({ lastSyncOutcome: 'partial', consecutiveFailures: 0, leaseOwner: null });
    expect(row?.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    const [state] = await bed.db.select().from(schema.mailFolderState).where(eq(schema.mailFolderState.accountId, id));
    expect(state).toMatchObject({ lastUid: 0, messagesOnServer: 40 });

    const resumed = await runSync(bed.deps(), { trigger: 'cron' });
    expect(resumed.accounts.find((r) => r.accountId === id)).toMatchObject({ outcome: 'success', fetched: 40 });
    expect(await runsOf(id)).toMatchObject([{ outcome: 'partial' }, { outcome: 'success', messages: 40 }]);
  });
});
