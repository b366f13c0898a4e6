/**
 * A first sync over several IMAP connections (lib/sync/parallel-fetch.ts) against Dovecot behind the Exchange
 * personality: every message exactly once, the watermark never past a batch that was not stored, whether a
 * connection is throttled or cut midway; incremental runs over one connection, where a run's batches come in one
 * FETCH and each is stored as soon as it is in (lib/sync/fetch-batch.ts `fetchBatches`: no idle round trip between
 * batches on a link with delay), exactly once and in UID order also when a batch inside that FETCH fails to store.
 */
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyncDeps } from '@/lib/sync/types';
import { exactness, watermarkCoverage } from '@/test/reliability/support/fault-checks';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';

let bed: SyncTestbed;
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed();
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());
afterEach(() => {
  personality().settings.throttle = undefined;
});

function personality() {
  if (!bed.harness.exchange) throw new Error('The Exchange personality is off');
  return bed.harness.exchange;
}

// Small batches: a first sync of 120 messages is 24 batches, so four connections each fetch several.
const BATCH = { messages: 5, bytes: 16 * 1024 * 1024 };
const COUNT = 120;

function sync(id: string, overrides: Partial<SyncDeps> = {}) {
  return runSync(bed.deps({ batch: BATCH, connectionsPerMailbox: 4, ...overrides }), {
    trigger: 'manual',
    accountIds: [id],
  });
}

async function seededAccount(address: string, seed: number): Promise<string> {
  const id = await bed.addAccount(address);
  await bed.harness.seed.messages(address, { count: COUNT, seed, profile: 'realistic' });
  return id;
}

/** Stored rows are exactly the server's messages up to the watermark: none above it, none missing below it. */
async function expectExactUpToWatermark(id: string, address: string) {
  const coverage = await watermarkCoverage(bed.db, bed.harness, id, address);
  expect(coverage).toMatchObject({ storedAbove: 0, missingBelow: 0 });
  return coverage;
}

async function expectExactlyOnce(id: string, address: string) {
  const exact = await exactness(bed.db, bed.harness, id, address);
  expect(exact).toMatchObject({ expected: COUNT, stored: COUNT, lost: 0, duplicated: 0, altered: 0 });
  expect(await expectExactUpToWatermark(id, address)).toMatchObject({ lastUid: COUNT, stored: COUNT });
}

// Whole first syncs of 120 messages, several times over, on a machine other work shares.
const SLOW = { timeout: 300_000 };

describe('a first sync over several connections', SLOW, () => {
  it('opens extra connections for the first sync only, and stores every message once with an exact watermark', async () => {
    const address = 'parallel@contoso.test';
    const id = await seededAccount(address, 501);
    const before = personality().stats.connections;
    const first = await sync(id);
    expect(first.accounts).toMatchObject([{ outcome: 'success', fetched: COUNT }]);
    expect(personality().stats.connections - before).toBe(4);
    await expectExactlyOnce(id, address);

    // Incremental: one fetching connection, whatever the setting. The folder was caught up, so the idle check's
    // short STATUS connection (lib/sync/idle-check.ts) comes first, finds new mail and hands over: two in all.
    await bed.harness.seed.messages(address, { count: 30, seed: 502, profile: 'light' });
    const afterFirst = personality().stats.connections;
    const second = await sync(id);
    expect(second.accounts).toMatchObject([{ outcome: 'success', fetched: 30 }]);
    expect(personality().stats.connections - afterFirst).toBe(2);
  });

  it('uses one connection when SYNC_CONNECTIONS_PER_MAILBOX is 1', async () => {
    const address = 'parallel-one@contoso.test';
    const id = await seededAccount(address, 503);
    const before = personality().stats.connections;
    const report = await sync(id, { connectionsPerMailbox: 1 });
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: COUNT }]);
    expect(personality().stats.connections - before).toBe(1);
    await expectExactlyOnce(id, address);
  });
});

describe('throttling during a parallel first sync', SLOW, () => {
  it('gives a throttled connection’s batch back, fetches over fewer, and every message ends up stored exactly once', async () => {
    const address = 'parallel-throttled@contoso.test';
    const id = await seededAccount(address, 504);
    // Beyond two connections for the mailbox, Exchange throttles (and closes, as it does) the newest ones.
    personality().settings.throttle = {
      afterCommands: Number.POSITIVE_INFINITY,
      backoffMs: 200,
      connectionsPerMailbox: 2,
    };
    const throttledBefore = personality().stats.throttled;
    const first = await sync(id);
    expect(personality().stats.throttled - throttledBefore).toBeGreaterThanOrEqual(2);
    expect(first.accounts).toMatchObject([{ outcome: 'success', fetched: COUNT }]);
    await expectExactlyOnce(id, address);
  });

  it('stores exactly once when every connection, the session’s own too, is throttled midway', async () => {
    const address = 'parallel-throttled-all@contoso.test';
    const id = await seededAccount(address, 506);
    // Each connection is throttled after a few commands: the session's own included, which ends the run.
    personality().settings.throttle = { afterCommands: 10, backoffMs: 200 };
    const throttledBefore = personality().stats.throttled;
    const first = await sync(id);
    expect(personality().stats.throttled - throttledBefore).toBeGreaterThanOrEqual(1);
    expect(first.accounts[0]?.outcome).not.toBe('failed');
    const afterFirst = await expectExactUpToWatermark(id, address);
    expect(afterFirst.stored).toBeGreaterThan(0);

    // Throttled runs end partial and resume from the watermark (over one connection), still throttled.
    let outcome = first.accounts[0]?.outcome;
    for (let run = 0; run < 40 && outcome !== 'success'; run += 1) {
      outcome = (await sync(id)).accounts[0]?.outcome;
      await expectExactUpToWatermark(id, address);
    }
    expect(outcome).toBe('success');
    await expectExactlyOnce(id, address);
  });
});

describe('a connection cut during a parallel first sync', SLOW, () => {
  it('fails or stops cleanly with the watermark exact, and the runs after store the mailbox exactly once', async () => {
    const address = 'parallel-cut@contoso.test';
    const id = await seededAccount(address, 505);
    // Every connection through the proxy is cut after this many bytes from the server: all four, each midway
    // through its share of the mailbox.
    const proxy = await bed.harness.imapProxy({ dropAfterBytes: 400_000 });
    const endpoint = { imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }) };
    const first = await sync(id, endpoint);
    expect(proxy.dropped).toBeGreaterThanOrEqual(2);
    expect(first.accounts[0]?.outcome).not.toBe('success');
    const afterCut = await expectExactUpToWatermark(id, address);
    expect(afterCut.stored).toBeLessThan(COUNT);

    proxy.dropAfterBytes = undefined;
    const next = await sync(id, endpoint);
    expect(next.accounts).toMatchObject([{ outcome: 'success', fetched: COUNT - afterCut.stored }]);
    await expectExactlyOnce(id, address);
  });
});

/** A run over one connection, as incremental runs are. */
function syncOne(id: string, overrides: Partial<SyncDeps> = {}) {
  return sync(id, { connectionsPerMailbox: 1, ...overrides });
}

/** Commands (all, UID SEARCHes, LIST and LSUB) the stand-in saw during one incremental run of 30 new messages. */
async function commandsForIncremental(address: string, seed: number, batchMessages: number) {
  const id = await bed.addAccount(address);
  await bed.harness.seed.messages(address, { count: 10, seed, profile: 'light' });
  expect((await syncOne(id)).accounts).toMatchObject([{ outcome: 'success', fetched: 10 }]);
  await bed.harness.seed.messages(address, { count: 30, seed, offset: 10, profile: 'light' });
  const { stats } = personality();
  const before = { commands: stats.commands, byCommand: { ...stats.byCommand } };
  const report = await syncOne(id, { batch: { messages: batchMessages, bytes: 16 * 1024 * 1024 } });
  expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 30 }]);
  const sent = (name: string) => (stats.byCommand[name] ?? 0) - (before.byCommand[name] ?? 0);
  const spent = {
    commands: stats.commands - before.commands,
    searches: sent('UID SEARCH'),
    lists: sent('LIST') + sent('LSUB'),
  };
  const exact = await exactness(bed.db, bed.harness, id, address);
  expect(exact).toMatchObject({ expected: 40, stored: 40, lost: 0, duplicated: 0, altered: 0 });
  return spent;
}

describe('one connection: an incremental run', SLOW, () => {
  it('sends no UID SEARCH when the metadata FETCH serves every UID up to UIDNEXT - 1', async () => {
    expect(await commandsForIncremental('no-search@contoso.test', 814, 5)).toMatchObject({ searches: 0 });
  });

  it('lists the folders once before EXAMINE, without LSUB', async () => {
    expect(await commandsForIncremental('one-list@contoso.test', 815, 5)).toMatchObject({ lists: 1 });
  });

  it('keeps exactly once and the watermark in UID order when a batch inside the FETCH fails to store', async () => {
    const address = 'stream-fail@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 10, seed: 813, profile: 'light' });
    expect((await syncOne(id)).accounts).toMatchObject([{ outcome: 'success', fetched: 10 }]);
    await bed.harness.seed.messages(address, { count: 40, seed: 813, offset: 10, profile: 'light' });

    // Batches of five new messages (UIDs 11–15, 16–20, …): the row of UID 23, in the third, cannot be written.
    // DDL takes no parameters; the id is a uuid the test created.
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await bed.db.execute(
      sql.raw(`create function refuse_uid_23() returns trigger language plpgsql as $$
        begin
          if new.account_id = '${id}'::uuid and new.uid = 23 then raise exception 'refused for the test'; end if;
          return new;
        end $$`),
    );
    await bed.db.execute(
      sql`create trigger refuse_uid_23 before insert on messages for each row execute function refuse_uid_23()`,
    );
    try {
      const failed = await syncOne(id, { batch: { messages: 5, bytes: 16 * 1024 * 1024 } });
      expect(failed.accounts).toMatchObject([{ outcome: 'failed', error: { code: 'sync.store_failed' } }]);
      // The first two batches committed, the one that failed and every one after it did not.
      const coverage = await watermarkCoverage(bed.db, bed.harness, id, address);
      expect(coverage).toEqual({ lastUid: 20, storedAbove: 0, missingBelow: 0, stored: 20 });
    } finally {
      await bed.db.execute(sql`drop trigger refuse_uid_23 on messages`);
      await bed.db.execute(sql`drop function refuse_uid_23()`);
    }
    await bed.db.execute(sql`update mail_accounts set next_attempt_at = now() where id = ${id}::uuid`);
    const next = await syncOne(id, { batch: { messages: 5, bytes: 16 * 1024 * 1024 } });
    expect(next.accounts).toMatchObject([{ outcome: 'success', fetched: 30 }]);
    const exact = await exactness(bed.db, bed.harness, id, address);
    expect(exact).toMatchObject({ expected: 50, stored: 50, lost: 0, duplicated: 0, altered: 0 });
  });
});
