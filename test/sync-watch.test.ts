/**
 * Watching INBOX with IMAP IDLE against the Exchange stand-in: new mail is synced as soon as the server announces
 * it, through the leased sync path (each message stored once); the watch survives its token's expiry and a
 * dropped link without counting a failure; a process watches at most SYNC_WATCH_MAX mailboxes and polls the rest;
 * a server without IDLE is polled.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessGrant, SyncAccount, SyncDeps } from '@/lib/sync/types';
import type { WatchPool, WatchPoolOptions } from '@/lib/sync/watch/watch-pool';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import { eachOnce, uidCounts as storedUidCounts } from '@/test/support/stored-uids';
import { waitFor } from '@/test/support/wait-for';

let bed: SyncTestbed;
let schema: typeof import('@/lib/db/schema');
let startWatchPool: typeof import('@/lib/sync/watch/watch-pool').startWatchPool;
let runSync: typeof import('@/lib/sync/run').runSync;
let watchedAmong: typeof import('@/lib/db/queries/mailbox-watches').watchedAmong;
const pools: WatchPool[] = [];

beforeAll(async () => {
  bed = await startSyncTestbed({ harness: { exchange: { tokenCheckMs: 200 } } });
  schema = await import('@/lib/db/schema');
  ({ startWatchPool } = await import('@/lib/sync/watch/watch-pool'));
  ({ runSync } = await import('@/lib/sync/run'));
  ({ watchedAmong } = await import('@/lib/db/queries/mailbox-watches'));
}, 120_000);
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.stop()));
  bed.harness.exchange!.settings.withoutCapabilities = [];
  // Each test watches only the mailboxes it adds.
  await bed.db.update(schema.mailAccounts).set({ status: 'disabled' });
});
afterAll(() => bed?.stop());

/** Tokens like msal's: the cached one until a refresh is asked for; a refresh gets a new one from the stand-in. */
function refreshableTokens(address: string) {
  let cached: string | undefined;
  let refreshes = 0;
  const getAccessToken = async (_: SyncAccount, options: { forceRefresh?: boolean } = {}): Promise<AccessGrant> => {
    if (!cached || options.forceRefresh) {
      if (cached) refreshes += 1;
      cached = (await bed.harness.control.issueTokens({ address })).access_token;
    }
    // No expiry: the session is renewed only when Exchange ends it, which is what these tests provoke.
    return { accessToken: cached, expiresOn: null };
  };
  return { getAccessToken, refreshes: () => refreshes };
}

function watch(overrides: Partial<WatchPoolOptions> & { deps?: () => SyncDeps } = {}): WatchPool {
  const pool = startWatchPool({
    db: bed.db,
    owner: `test-${randomBytes(4).toString('hex')}`,
    deps: () => bed.deps(),
    leaseMs: 3_000,
    backoff: { firstMs: 200, maxMs: 2_000 },
    ...overrides,
  });
  pools.push(pool);
  return pool;
}

const uidCounts = (id: string) => storedUidCounts(bed.db, id);
const storedCount = async (id: string) => (await uidCounts(id)).length;
const accountRow = async (id: string) =>
  (await bed.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id)))[0];
const watchRow = async (id: string) =>
  (await bed.db.select().from(schema.mailboxWatches).where(eq(schema.mailboxWatches.accountId, id)))[0];

async function storedReaches(id: string, count: number, what: string) {
  await waitFor(
    what,
    () => storedCount(id),
    (n) => n === count,
  );
}

/** A watch starts with a sync (what arrived while nobody watched) and its claim in mailbox_watches. */
async function caughtUpAndWatched(id: string, count: number) {
  await storedReaches(id, count, 'the first sync');
  await waitFor(
    'the watch claim',
    () => watchRow(id),
    (row) => row !== undefined,
  );
}

async function expectEachOnce(id: string, count: number) {
  const counts = await uidCounts(id);
  expect(counts).toHaveLength(count);
  expect(eachOnce(counts)).toBe(true);
}

async function expectNoFailure(id: string) {
  expect(await accountRow(id)).toMatchObject({ status: 'active', consecutiveFailures: 0, lastError: null });
  const runs = await bed.db.select().from(schema.syncRuns).where(eq(schema.syncRuns.accountId, id));
  expect(runs.filter((run) => run.outcome === 'failed')).toEqual([]);
}

/** Mail arriving like an MTA's delivery: into the maildir's new/, which Dovecot announces to IDLE sessions. */
async function deliver(address: string, seed: number, count = 1) {
  await bed.harness.seed.messages(address, { count, seed });
}

describe('a watched INBOX', () => {
  it('stores mail delivered while watched at once, each message once, through watch-triggered syncs', async () => {
    const address = 'watched@contoso.test';
    const id = await bed.addAccount(address);
    await deliver(address, 1, 3);
    const pool = watch();
    // Watching starts with a sync: what arrived while nobody watched.
    await caughtUpAndWatched(id, 3);
    expect(pool.watching()).toEqual([id]);
    // What the console reads to say "watching (new mail within seconds)".
    expect(await watchedAmong(bed.db, [id])).toEqual(new Set([id]));
    const heartbeat = (await watchRow(id))!.heartbeatAt;

    // No polling runs in this test: only the IDLE announcement can bring these in.
    await deliver(address, 2, 2);
    await storedReaches(id, 5, 'the new mail');
    await deliver(address, 3, 1);
    await storedReaches(id, 6, 'more new mail');
    await expectEachOnce(id, 6);
    await expectNoFailure(id);
    const runs = await bed.db.select().from(schema.syncRuns).where(eq(schema.syncRuns.accountId, id));
    expect(new Set(runs.map((run) => run.trigger))).toEqual(new Set(['watch']));
    // The heartbeat moves while it watches.
    await waitFor(
      'a heartbeat',
      () => watchRow(id),
      (row) => row!.heartbeatAt.getTime() > heartbeat.getTime(),
    );

    await pool.stop();
    expect(await watchRow(id)).toBeUndefined();
    expect(await watchedAmong(bed.db, [id])).toEqual(new Set());
  });

  it('signs in again with a fresh token after “* BYE … AccessTokenExpired” mid-IDLE, counting no failure', async () => {
    const address = 'expiring@contoso.test';
    const id = await bed.addAccount(address);
    await deliver(address, 10, 2);
    const tokens = refreshableTokens(address);
    const byesBefore = bed.harness.exchange!.stats.expiredByes;
    watch({ deps: () => bed.deps({ getAccessToken: tokens.getAccessToken }) });
    await caughtUpAndWatched(id, 2);

    // The stand-in ends the idling session as Exchange does when its token expires.
    await bed.harness.control.expireAccessTokens(address);
    await waitFor(
      'the BYE',
      async () => bed.harness.exchange!.stats.expiredByes,
      (n) => n > byesBefore,
    );
    await waitFor(
      'a fresh token',
      async () => tokens.refreshes(),
      (n) => n >= 1,
    );

    await deliver(address, 11, 3);
    await storedReaches(id, 5, 'mail after the renewal');
    await expectEachOnce(id, 5);
    await expectNoFailure(id);
  });

  it('reconnects after the link drops and goes on storing new mail once', async () => {
    const address = 'dropped@contoso.test';
    const id = await bed.addAccount(address);
    await deliver(address, 20, 2);
    const proxy = await bed.harness.imapProxy();
    const connectionsBefore = bed.harness.exchange!.stats.connections;
    watch({ deps: () => bed.deps({ imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }) }) });
    await caughtUpAndWatched(id, 2);
    const connected = bed.harness.exchange!.stats.connections;

    proxy.dropAll();
    await waitFor(
      'a new connection',
      async () => bed.harness.exchange!.stats.connections,
      (n) => n > connected,
    );
    await deliver(address, 21, 2);
    await storedReaches(id, 4, 'mail after the reconnect');
    expect(bed.harness.exchange!.stats.connections).toBeGreaterThan(connectionsBefore);
    await expectEachOnce(id, 4);
    await expectNoFailure(id);
  });
});

describe('stopping a watch pool', () => {
  it('frees its claims before waiting for its connections and syncs to end', async () => {
    const address = 'stopping@contoso.test';
    const id = await bed.addAccount(address);
    await deliver(address, 50, 1);
    // Once held, token requests (a sync's sign-in) wait for the gate: a sync that is slow to end.
    let hold = false;
    let held = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const getAccessToken = async (account: SyncAccount) => {
      if (hold) {
        held += 1;
        await gate;
      }
      return { accessToken: await bed.tokenFor(account.imapUser), expiresOn: null };
    };
    const pool = watch({ deps: () => bed.deps({ getAccessToken }) });
    await caughtUpAndWatched(id, 1);
    hold = true;
    await deliver(address, 51, 1);
    await waitFor(
      'the sync after new mail to ask for a token',
      async () => held,
      (n) => n >= 1,
    );

    const stopped = pool.stop();
    // The sync is still held, yet the claim is gone: another worker may watch the mailbox now.
    await waitFor(
      'the claim to be freed',
      () => watchRow(id),
      (row) => row === undefined,
    );
    expect(await watchedAmong(bed.db, [id])).toEqual(new Set());
    open();
    await stopped;
    await expectEachOnce(id, 2);
  });
});

describe('how many a process watches', () => {
  it('watches at most SYNC_WATCH_MAX mailboxes; the others are left to the polled pass', async () => {
    const addresses = ['cap1@contoso.test', 'cap2@contoso.test', 'cap3@contoso.test'];
    const ids = await Promise.all(addresses.map((address) => bed.addAccount(address)));
    const pool = watch({ max: 2 });
    await waitFor(
      'two watches',
      async () => pool.watching().length,
      (n) => n === 2,
    );
    // A few more claim rounds: still two.
    await sleep(2_500);
    expect(pool.watching()).toHaveLength(2);
    const watched = new Set(pool.watching());
    const polled = ids.filter((id) => !watched.has(id));
    expect(polled).toHaveLength(1);
    expect(await watchRow(polled[0]!)).toBeUndefined();

    await Promise.all(addresses.map((address, i) => deliver(address, 30 + i, 2)));
    for (const id of watched) await storedReaches(id, 2, 'watched mail');
    expect(await storedCount(polled[0]!)).toBe(0);
    // The polled pass brings the third in, and leaves the watched ones as they are.
    await runSync(bed.deps(), { trigger: 'cron', accountIds: ids });
    for (const id of ids) await expectEachOnce(id, 2);
  });

  it('leaves a mailbox to polling when the server offers no IDLE', async () => {
    bed.harness.exchange!.settings.withoutCapabilities = ['IDLE'];
    const id = await bed.addAccount('noidle@contoso.test');
    const connected = bed.harness.exchange!.stats.connections;
    const pool = watch();
    // The claim is given back once the server's capabilities are known, and not taken again.
    await waitFor(
      'a connection',
      async () => bed.harness.exchange!.stats.connections,
      (n) => n > connected,
    );
    await sleep(2_500);
    expect(await watchRow(id)).toBeUndefined();
    expect(pool.watching()).not.toContain(id);
  });
});

describe('the polled pass and a watched mailbox', () => {
  // Another worker's live watch, as its claim round writes it: the pass must not depend on this process watching.
  async function watchedElsewhere(id: string, expiresAt = new Date(Date.now() + 60_000)) {
    await bed.db.insert(schema.mailboxWatches).values({ accountId: id, owner: 'another-worker', expiresAt });
  }

  /** A mailbox synced once with success, due again now (as after its interval), with `changes` applied. */
  async function syncedAndDue(address: string, folders: string[], seed: number) {
    const id = await bed.addAccount(address, { folders });
    for (const folder of folders) {
      await bed.harness.maildirs.ensureFolder(address, folder);
      await bed.harness.seed.messages(address, { count: 1, seed, folder });
    }
    const [first] = (await runSync(bed.deps(), { trigger: 'cron', accountIds: [id] })).accounts;
    expect(first).toMatchObject({ outcome: 'success', fetched: folders.length });
    await bed.db
      .update(schema.mailAccounts)
      .set({ nextAttemptAt: new Date(Date.now() - 1_000) })
      .where(eq(schema.mailAccounts.id, id));
    return id;
  }

  /** Which mailboxes a polled pass synced, and how many IMAP connections the server saw it open. */
  async function polledPass() {
    const before = bed.harness.exchange!.stats.connections;
    const report = await runSync(bed.deps(), { trigger: 'cron' });
    return {
      synced: report.accounts.map((account) => account.accountId),
      connections: bed.harness.exchange!.stats.connections - before,
    };
  }

  it('opens no connection to a watched INBOX-only mailbox whose last sync succeeded recently', async () => {
    const watched = await syncedAndDue('skipped@contoso.test', ['INBOX'], 40);
    await watchedElsewhere(watched);
    expect(await polledPass()).toEqual({ synced: [], connections: 0 });
    // A sync asked for by name (the button, a watch's own sync) still runs.
    const [asked] = (await runSync(bed.deps(), { trigger: 'manual', accountIds: [watched] })).accounts;
    expect(asked).toMatchObject({ accountId: watched, outcome: 'success' });
  });

  it('still polls a watched mailbox for its folders beyond INBOX', async () => {
    const id = await syncedAndDue('morefolders@contoso.test', ['INBOX', 'Archive'], 41);
    await watchedElsewhere(id);
    await bed.harness.seed.messages('morefolders@contoso.test', { count: 1, seed: 42, folder: 'Archive' });
    const pass = await polledPass();
    expect(pass.synced).toEqual([id]);
    expect(pass.connections).toBeGreaterThan(0);
    // Two in INBOX, one in Archive (UIDs are per folder, so count rows rather than distinct UIDs).
    const stored = (await uidCounts(id)).reduce((sum, row) => sum + row.n, 0);
    expect(stored).toBe(3);
  });

  it('polls a mailbox whose watch stopped heartbeating (a dead worker)', async () => {
    const id = await syncedAndDue('stalewatch@contoso.test', ['INBOX'], 43);
    await watchedElsewhere(id, new Date(Date.now() - 60_000));
    const pass = await polledPass();
    expect(pass.synced).toEqual([id]);
    expect(pass.connections).toBeGreaterThan(0);
  });

  it('polls a watched mailbox whose last sync failed', async () => {
    const id = await syncedAndDue('lastfailed@contoso.test', ['INBOX'], 44);
    await watchedElsewhere(id);
    await bed.db.update(schema.mailAccounts).set({ lastSyncOutcome: 'failed' }).where(eq(schema.mailAccounts.id, id));
    expect((await polledPass()).synced).toEqual([id]);
  });

  it('polls a watched mailbox again 30 minutes after its last successful sync (a missed EXISTS is corrected)', async () => {
    const id = await syncedAndDue('recheck@contoso.test', ['INBOX'], 45);
    await watchedElsewhere(id);
    await bed.db
      .update(schema.mailAccounts)
      .set({ lastSyncedAt: new Date(Date.now() - 31 * 60_000) })
      .where(eq(schema.mailAccounts.id, id));
    // Mail the watch never announced: the recheck brings it in.
    await deliver('recheck@contoso.test', 46, 1);
    expect((await polledPass()).synced).toEqual([id]);
    await expectEachOnce(id, 2);
  });
});
