import { eq, inArray, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import type { Database, Db } from '@/lib/db/types';
import type { SyncAccount } from '@/lib/sync/types';

let bed: SyncTestbed;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;
let leases: typeof import('@/lib/db/queries/sync-leases');
const pools: Database[] = [];

beforeAll(async () => {
  bed = await startSyncTestbed();
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
  leases = await import('@/lib/db/queries/sync-leases');
  // Each "worker" gets its own connection pool, as separate processes would.
  const { openPostgresDatabase } = await import('@/lib/db/postgres');
  for (let i = 0; i < 4; i += 1) pools.push(await openPostgresDatabase(bed.database.url, { migrate: false }));
});
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.close()));
  await bed?.stop();
});

describe('leases', () => {
  it('stores every message exactly once when four workers sync twenty accounts at the same time', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `crowd${i}@contoso.test`);
    const ids = await Promise.all(addresses.map((address) => bed.addAccount(address)));
    await Promise.all(
      addresses.map((address, i) => bed.harness.seed.messages(address, { count: 30 + i, seed: 100 + i })),
    );

    const reports = await Promise.all(
      pools.map((pool, i) =>
        runSync(bed.deps({ db: pool.db, owner: `worker-${i}`, batch: { messages: 10, bytes: 16 * 1024 * 1024 } }), {
          trigger: 'cron',
        }),
      ),
    );
    const synced = reports.flatMap((report) => report.accounts);
    expect(synced.filter((r) => r.outcome !== 'success')).toEqual([]);
    // Every account exactly once across the workers, and the work was shared.
    expect(synced.map((r) => r.accountId).sort()).toEqual([...ids].sort());
    expect(reports.filter((report) => report.accounts.length > 0).length).toBeGreaterThan(1);

    const perUid = await bed.db
      .select({ accountId: schema.messages.accountId, uid: schema.messages.uid, n: sql<number>`count(*)::int` })
      .from(schema.messages)
      .where(inArray(schema.messages.accountId, ids))
      .groupBy(schema.messages.accountId, schema.messages.uid);
    expect(perUid.filter((row) => row.n !== 1)).toEqual([]);
    expect(perUid).toHaveLength(addresses.reduce((sum, _, i) => sum + 30 + i, 0));
    const runs = await bed.db.select().from(schema.syncRuns).where(inArray(schema.syncRuns.accountId, ids));
    expect(runs).toHaveLength(20);
    const held = await bed.db.select().from(schema.mailAccounts).where(inArray(schema.mailAccounts.id, ids));
    expect(held.every((a) => a.leaseOwner === null && a.leaseExpiresAt === null)).toBe(true);
    // Twenty mailboxes through the Exchange personality's proxy in this process: about 12 s alone, three times that
    // beside other test files on two cores.
  }, 120_000);

  it('leases for all the workers that ask together in one statement, each account under its own lease', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => bed.addAccount(`together${i}@contoso.test`)));
    // A pool of its own that counts the lease statements it sends.
    let leaseStatements = 0;
    const client = postgres(bed.database.url, {
      max: 4,
      onnotice: () => {},
      debug: (_connection, query) => {
        if (/^update "mail_accounts" set "lease_owner"/.test(query)) leaseStatements += 1;
      },
    });
    try {
      const db = drizzle({ client, schema }) as unknown as Db;
      // Every token waits until all six accounts are leased at once: each held its own lease at the same time.
      const held = new Set<string>();
      let release: () => void = () => {};
      const allHeld = new Promise<void>((resolve) => (release = resolve));
      const getAccessToken = async (account: SyncAccount) => {
        held.add(account.id);
        if (held.size === ids.length) release();
        await allHeld;
        return bed.tokenFor(account.imapUser);
      };
      const report = await runSync(bed.deps({ db, owner: 'together', concurrency: 6, getAccessToken }), {
        trigger: 'manual',
        accountIds: ids,
      });
      expect(report.accounts.map((r) => r.accountId).sort()).toEqual([...ids].sort());
      expect(report.accounts.every((r) => r.outcome === 'success')).toBe(true);
      // Six workers starting together: one statement leases all six, then each worker's last ask finds none left
      // (one statement per account and per worker's last ask, twelve, before the workers shared a query).
      expect(leaseStatements).toBeLessThanOrEqual(1 + ids.length);
      const rows = await bed.db.select().from(schema.mailAccounts).where(inArray(schema.mailAccounts.id, ids));
      expect(rows.every((a) => a.leaseOwner === null && a.lastSyncOutcome === 'success')).toBe(true);
    } finally {
      await client.end({ timeout: 5 });
    }
  });

  it('leaves an account alone while another worker holds it, and takes over once a crashed worker’s lease expires', async () => {
    const address = 'orphan@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 8, seed: 3 });
    // A worker leased it and died without releasing.
    const [taken] = await leases.leaseDueAccounts(bed.db, {
      owner: 'crashed',
      leaseMs: 800,
      limit: 1,
      now: new Date(),
      accountIds: [id],
    });
    expect(taken?.id).toBe(id);

    const blocked = await runSync(bed.deps(), { trigger: 'manual', accountIds: [id] });
    expect(blocked.accounts).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 900));
    const taken2 = await runSync(bed.deps({ owner: 'rescuer' }), { trigger: 'manual', accountIds: [id] });
    expect(taken2.accounts).toMatchObject([{ accountId: id, outcome: 'success', fetched: 8 }]);
  });

  it('renews the lease during a long run, and a worker that lost its lease writes nothing', async () => {
    const address = 'stolen@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 12, seed: 4 });
    // The token takes longer than the lease lasts; renewals keep it — until someone else takes the account.
    let stolen = false;
    const getAccessToken = async (a: SyncAccount) => {
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const [row] = await bed.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id));
      expect(row?.leaseOwner).toBe('slow');
      expect(row?.leaseExpiresAt?.getTime()).toBeGreaterThan(Date.now());
      await bed.db.update(schema.mailAccounts).set({ leaseOwner: 'thief' }).where(eq(schema.mailAccounts.id, id));
      stolen = true;
      return bed.tokenFor(a.imapUser);
    };
    const report = await runSync(bed.deps({ owner: 'slow', leaseMs: 1_000, getAccessToken }), {
      trigger: 'manual',
      accountIds: [id],
    });
    expect(stolen).toBe(true);
    expect(report.accounts).toMatchObject([
      { outcome: 'failed', error: { code: 'sync.lease_lost' }, nextAttemptAt: null },
    ]);
    const [count] = await bed.db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.messages)
      .where(eq(schema.messages.accountId, id));
    expect(count?.n).toBe(0);
    // The thief's lease is untouched: the loser did not release or overwrite it.
    const [row] = await bed.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id));
    expect(row).toMatchObject({ leaseOwner: 'thief', consecutiveFailures: 0 });
  });
});
