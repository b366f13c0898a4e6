/**
 * Postgres-side faults during a sync, against the real harness: every backend of the test database terminated
 * in the middle of a batch's transaction, the product's connection pool fully taken, the database refusing new
 * connections mid-run, and (soak only) a real server restart. The sync fails cleanly or waits, never commits a
 * batch without its watermark, never stays stuck behind a lease, and a later run stores every mailbox exactly.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountRow, exactness, leaseIsFree, watermarkCoverage } from '@/test/reliability/support/fault-checks';
import { recordExactness } from '@/test/reliability/support/scenarios';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import type { Database } from '@/lib/db/types';
import type { SyncDeps, SyncReport } from '@/lib/sync/types';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = { messages: 20, bytes: 16 * 1024 * 1024 };

let bed: SyncTestbed;
let runSync: typeof import('@/lib/sync/run').runSync;
let openPostgresDatabase: typeof import('@/lib/db/postgres').openPostgresDatabase;
// Connected to the admin database, never to the test database: it survives what it does to the latter.
let admin: postgres.Sql;

beforeAll(async () => {
  bed = await startSyncTestbed();
  ({ runSync } = await import('@/lib/sync/run'));
  ({ openPostgresDatabase } = await import('@/lib/db/postgres'));
  admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await admin?.unsafe(`alter database "${bed.database.name}" allow_connections true`).catch(() => {});
  await admin?.end();
  await bed?.stop();
});

async function addSeededAccount(address: string, count: number, seed: number): Promise<string> {
  const id = await bed.addAccount(address);
  await bed.harness.seed.messages(address, { count, seed, profile: 'realistic' });
  return id;
}

function sync(ids: string[], overrides: Partial<SyncDeps> = {}): Promise<SyncReport> {
  return runSync(bed.deps({ batch: BATCH, ...overrides }), { trigger: 'manual', accountIds: ids });
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Backends of the test database inside a write transaction (they hold an xid) that wait on a lock. */
async function blockedWriters(): Promise<number[]> {
  const rows = await admin<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = ${bed.database.name} and backend_xid is not null and wait_event_type = 'Lock'`;
  return rows.map((row) => row.pid);
}

/**
 * Two statements on purpose: in one, the planner may evaluate pg_terminate_backend() before the datname filter,
 * i.e. on every backend of the machine.
 */
async function terminateBackends(spare: number[] = []): Promise<number> {
  const targets = (
    await admin<
      { pid: number }[]
    >`select pid from pg_stat_activity where datname = ${bed.database.name} and pid <> pg_backend_pid()`
  ).filter((t) => !spare.includes(t.pid));
  if (targets.length === 0) return 0;
  const done = await admin<{ ok: boolean }[]>`
    select pg_terminate_backend(a.pid) as ok from pg_stat_activity a
    where a.pid = any(${targets.map((t) => t.pid)}::int[]) and a.datname = ${bed.database.name}`;
  return done.filter((row) => row.ok).length;
}

/**
 * postgres.js 3.4.9 keeps the FATAL error of a query whose connection was terminated and rejects the next query
 * run on that connection object with it, once (its errorResponse is only cleared by a ReadyForQuery that never
 * came). One query on every connection of the pool takes those stale errors out before the next test.
 */
async function flushStaleErrors(): Promise<void> {
  await Promise.all(
    Array.from({ length: 10 }, () => bed.db.execute(sql`select pg_sleep(0.05)`).catch(() => undefined)),
  );
}

/** The run after a fault: complete, exact, account healthy, lease released. */
async function expectFollowUpCompletes(id: string, address: string, count: number) {
  const report = await sync([id]);
  expect(report.accounts[0]).toMatchObject({ accountId: id, outcome: 'success' });
  const exact = await exactness(bed.db, bed.harness, id, address);
  expect(exact).toMatchObject({ expected: count, stored: count, lost: 0, duplicated: 0, altered: 0 });
  expect(await accountRow(bed.db, id)).toMatchObject({
    status: 'active',
    consecutiveFailures: 0,
    lastError: null,
    leaseOwner: null,
  });
  return exact;
}

describe('Postgres connections terminated', () => {
  it(
    'fails cleanly when every backend is terminated inside a batch transaction; the next run is exact',
    { timeout: 120_000 },
    async () => {
      const address = 'pgkill@contoso.test';
      const count = 160;
      const id = await addSeededAccount(address, count, 951);
      let armed = false;
      let terminated = 0;
      const running = sync([id], { onProgress: (event) => void (event.type === 'batch-stored' && (armed = true)) });
      // After a first batch committed, hold the next batch's transaction open (the watermark table locked, so it
      // waits after writing its messages), then cut every backend: the cut always lands inside a transaction,
      // never just after a commit.
      const locker = postgres(bed.database.url, { max: 1, onnotice: () => {} });
      const killer = (async () => {
        let settled = false;
        void running.finally(() => (settled = true));
        while (!settled && !armed) await sleep(5);
        if (settled) return;
        await locker.begin(async (tx) => {
          const [self] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
          await tx`lock table mail_folder_state in exclusive mode`;
          await waitFor(
            'a batch transaction waiting on the watermark',
            async () => settled || (await blockedWriters()).length > 0,
          );
          if (!settled) terminated = await terminateBackends(self ? [self.pid] : []);
        });
      })();
      const report = await running;
      await killer;
      await locker.end();
      expect(terminated).toBeGreaterThan(0);
      expect(report.accounts[0]).toMatchObject({
        accountId: id,
        outcome: 'failed',
        error: { code: 'sync.store_failed' },
      });
      const row = await accountRow(bed.db, id);
      expect(row).toMatchObject({
        status: 'active',
        leaseOwner: null,
        consecutiveFailures: 1,
        lastError: { code: 'sync.store_failed', message: expect.stringMatching(/database/) },
      });
      const coverage = await watermarkCoverage(bed.db, bed.harness, id, address);
      expect(coverage).toMatchObject({ storedAbove: 0, missingBelow: 0 });
      expect(coverage.stored).toBeGreaterThan(0);
      expect(coverage.stored).toBeLessThan(count);

      const exact = await expectFollowUpCompletes(id, address, count);
      await flushStaleErrors();
      await recordExactness(
        'Postgres backends terminated inside a batch transaction',
        exact,
        `run failed (sync.store_failed) with ${coverage.stored} stored, watermark = last stored UID; lease released; next run exact`,
      );
    },
  );
});

describe('connection pool exhausted', () => {
  it(
    'waits while every pooled connection is taken, then stores all twelve mailboxes exactly',
    { timeout: 240_000 },
    async () => {
      // Twelve accounts at once, more than the pool's ten connections, and the test holds all ten to begin with.
      const addresses = Array.from({ length: 12 }, (_, i) => `pool${i}@contoso.test`);
      const ids = await Promise.all(addresses.map((address, i) => addSeededAccount(address, 25 + i, 960 + i)));
      // A product pool of its own (ten connections, as in production), untouched by the earlier tests' faults.
      const pool: Database = await openPostgresDatabase(bed.database.url, { migrate: false });
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let holding = 0;
      const held = Array.from({ length: 10 }, () =>
        pool.db
          .transaction(async (tx) => {
            await tx.execute(sql`select 1`);
            holding += 1;
            await gate;
          })
          .then(
            () => undefined,
            (error: unknown) => error,
          ),
      );
      let report: SyncReport;
      try {
        await waitFor('ten held connections', async () => holding === 10);
        let settled = false;
        const running = sync(ids, {
          db: pool.db,
          concurrency: 12,
          batch: { messages: 5, bytes: 16 * 1024 * 1024 },
        }).finally(() => (settled = true));
        running.catch(() => {}); // awaited below
        // Nothing can be leased while the pool is taken: the run waits rather than failing or writing.
        await sleep(1_500);
        expect(settled).toBe(false);
        const leased = await bed.db.execute(
          sql`select count(*)::int as n from mail_accounts where lease_owner is not null`,
        );
        expect((leased as unknown as Array<{ n: number }>)[0]?.n).toBe(0);
        release();
        expect(await Promise.all(held)).toEqual(Array.from({ length: 10 }, () => undefined));
        report = await running;
      } finally {
        release();
        await pool.close();
      }
      expect(report.accounts).toHaveLength(12);
      expect(report.accounts.filter((r) => r.outcome !== 'success')).toEqual([]);

      const totals = { expected: 0, stored: 0, lost: 0, duplicated: 0, altered: 0 };
      for (const [i, id] of ids.entries()) {
        const exact = await exactness(bed.db, bed.harness, id, addresses[i] as string);
        expect(exact).toMatchObject({ expected: 25 + i, stored: 25 + i, lost: 0, duplicated: 0, altered: 0 });
        for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += exact[key];
        expect(await leaseIsFree(bed.db, id)).toBe(true);
      }
      await recordExactness(
        'Connection pool taken (10 of 10) while 12 accounts sync',
        totals,
        'the run waited (nothing leased), then all 12 succeeded; leases released',
      );
    },
  );

  it(
    'fails cleanly, after finishing what it started, when the database refuses every new connection; later runs are exact',
    { timeout: 240_000 },
    async () => {
      const addresses = Array.from({ length: 4 }, (_, i) => `refused${i}@contoso.test`);
      const ids = await Promise.all(addresses.map((address, i) => addSeededAccount(address, 60, 980 + i)));
      // A pool of its own holding one open connection, which cannot grow: like a server at max_connections, each
      // further connection the run asks for is refused.
      const pool: Database = await openPostgresDatabase(bed.database.url, { migrate: false });
      let outcome: SyncReport | Error;
      const inFlight = { started: 0, finished: 0, atEnd: -1 };
      try {
        await pool.db.execute(sql`select 1`);
        await admin.unsafe(`alter database "${bed.database.name}" allow_connections false`);
        outcome = await runSync(
          bed.deps({
            db: pool.db,
            concurrency: 4,
            batch: BATCH,
            // Short, so that a lease the failing run could not release frees itself within the test.
            leaseMs: 5_000,
            onProgress: (event) => {
              if (event.type === 'account-started') inFlight.started += 1;
              if (event.type === 'account-finished') inFlight.finished += 1;
            },
          }),
          { trigger: 'manual', accountIds: ids },
        ).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
        inFlight.atEnd = inFlight.started - inFlight.finished;
      } finally {
        await admin.unsafe(`alter database "${bed.database.name}" allow_connections true`);
        await pool.close();
      }
      // The pass ends only after every account it started has finished, whatever failed.
      expect(inFlight.atEnd).toBe(0);
      // What failed says it was the database, in the driver's words rather than a page of SQL.
      if (outcome instanceof Error)
        expect(outcome.message).toMatch(
          /^Could not take the next due mailbox from the database: .*not currently accepting connections/,
        );
      else
        for (const r of outcome.accounts)
          if (r.outcome === 'failed')
            expect(r.error, JSON.stringify(r.error)).toMatchObject({ code: 'sync.store_failed' });
      expect(outcome instanceof Error || outcome.accounts.some((r) => r.outcome === 'failed')).toBe(true);

      const totals = { expected: 0, stored: 0, lost: 0, duplicated: 0, altered: 0 };
      for (const [i, id] of ids.entries()) {
        const address = addresses[i] as string;
        expect(await watermarkCoverage(bed.db, bed.harness, id, address)).toMatchObject({
          storedAbove: 0,
          missingBelow: 0,
        });
        await waitFor(`the lease on ${address} to be released or expire`, () => leaseIsFree(bed.db, id), 30_000);
        const exact = await expectFollowUpCompletes(id, address, 60);
        for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += exact[key];
      }
      const summary =
        outcome instanceof Error
          ? `the pass failed (${outcome.message.replace(/"[^"]*"/g, '<db>')}) after ${inFlight.finished} account(s)`
          : outcome.accounts.map((r) => `${r.outcome}${r.error ? ` (${r.error.code})` : ''}`).join(', ');
      await recordExactness(
        'Database refuses new connections (pool stuck at 1 of 10), 4 accounts',
        totals,
        `first run: ${summary}; leases free; next runs exact`,
      );
    },
  );
});

describe.runIf(process.env.RELIABILITY_SOAK === '1')(
  'Postgres server restart (soak only: restarts every database on the machine)',
  () => {
    it(
      'fails cleanly when the server restarts mid-sync; the lease frees itself and the next run is exact',
      { timeout: 180_000 },
      async () => {
        const address = 'pgrestart@contoso.test';
        const count = 160;
        const id = await addSeededAccount(address, count, 990);
        const version = readdirSync('/etc/postgresql')[0] as string;
        let restarting: Promise<unknown> | undefined;
        const outcome = await sync([id], {
          leaseMs: 5_000,
          onProgress: (event) => {
            if (event.type === 'batch-stored' && !restarting) {
              restarting = promisify(execFile)(
                'pg_ctlcluster',
                ['--skip-systemctl-redirect', version, 'main', 'restart'],
                { timeout: 120_000 },
              );
            }
          },
        }).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
        expect(restarting).toBeDefined();
        await restarting;
        // The account's batch failed to store, or (the account done) leasing the next one found the server down.
        if (outcome instanceof Error)
          expect(outcome.message).toMatch(/^Could not take the next due mailbox from the database/);
        else
          expect(outcome.accounts[0]).toMatchObject({
            accountId: id,
            outcome: 'failed',
            error: { code: 'sync.store_failed' },
          });
        await waitFor(
          'the server to accept queries again',
          () =>
            bed.db.execute(sql`select 1`).then(
              () => true,
              () => false,
            ),
          60_000,
        );
        await flushStaleErrors();
        await waitFor('the lease to be released or expire', () => leaseIsFree(bed.db, id).catch(() => false), 60_000);
        const coverage = await watermarkCoverage(bed.db, bed.harness, id, address);
        expect(coverage).toMatchObject({ storedAbove: 0, missingBelow: 0 });
        const exact = await expectFollowUpCompletes(id, address, count);
        await recordExactness(
          'Postgres server restarted mid-sync (soak)',
          exact,
          `first run failed (${outcome instanceof Error ? 'sync.lease_failed' : 'sync.store_failed'}) with ${coverage.stored} stored; lease free; next run exact`,
        );
      },
    );
  },
);
