/**
 * `npm run sync -- --watch` asked to stop (SIGTERM, as `docker stop` and Kubernetes do, with SIGKILL 10 s later):
 * it stops leasing, lets its batch in flight commit or roll back, frees its leases and closes its pool, in time.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailAccounts, messages, syncRuns } from '@/lib/db/schema';
import { signalTree } from '@/test/harness/process-tree';
import { accountRow, watermarkCoverage } from '@/test/reliability/support/fault-checks';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';
import { cliEnv } from '@/test/support/cli-env';

const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';
const KILL_AFTER_MS = 10_000;

let f: ChannelFixture;
const ids: Record<string, string> = {};

beforeAll(async () => {
  f = await startChannelFixture();
  for (const address of [ALICE, BOB]) {
    const result = await f.complete(await f.signIn({ kind: 'connect' }, address));
    if (!result.ok || !result.outcome.ok) throw new Error(`connect ${address} failed`);
    ids[address] = result.outcome.accountId;
  }
  await f.harness.seed.messages(ALICE, { count: 400, seed: 2020, profile: 'realistic' });
  await f.harness.seed.messages(BOB, { count: 5, seed: 2021, profile: 'light' });
  // Alice first; Bob becomes due while she syncs, so a worker that kept leasing would take him next.
  await f.db
    .update(mailAccounts)
    .set({ nextAttemptAt: sql`now() + interval '2 seconds'` })
    .where(eq(mailAccounts.id, ids[BOB] as string));
}, 120_000);
afterAll(async () => f?.stop());

async function stored(accountId: string): Promise<number> {
  const [row] = await f.db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(eq(messages.accountId, accountId));
  return row?.n ?? 0;
}

async function workerConnections(appName: string): Promise<number> {
  const rows = (await f.db.execute(
    sql`select count(*)::int as n from pg_stat_activity where application_name = ${appName}`,
  )) as unknown as { n: number }[];
  return rows[0]?.n ?? 0;
}

describe('the sync worker on SIGTERM', () => {
  it(
    'stops leasing, commits or rolls back its batch, frees its leases and closes its pool within 10 s',
    { timeout: 180_000 },
    async () => {
      const appName = `mg-worker-${randomBytes(4).toString('hex')}`;
      // tsx as a loader, not its CLI: the signal reaches the sync process itself, as in a container running node.
      const env = cliEnv(f.harness.env, {
        SYNC_CONCURRENCY: '1',
        // The polled pass's shutdown: a watch would sync Bob at once, due or not (test/sync-watch*.test.ts).
        SYNC_WATCH_MAX: '0',
        PGAPPNAME: appName,
      });
      const args = ['--conditions=react-server', '--import', 'tsx', 'scripts/sync.ts', '--watch'];
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      try {
        // Mid-sync: some of Alice's batches committed, more to come.
        const alice = ids[ALICE] as string;
        for (let i = 0; i < 1200 && (await stored(alice)) === 0; i += 1) await sleep(100);
        expect(await stored(alice), output).toBeGreaterThan(0);
        expect(await workerConnections(appName)).toBeGreaterThan(0);

        child.kill('SIGTERM');
        const killer = setTimeout(() => child.pid && signalTree(child.pid, 'SIGKILL'), KILL_AFTER_MS);
        const { code, signal } = await exited;
        clearTimeout(killer);

        // Ended on its own (not by the SIGKILL at 10 s), cleanly, having closed the pool itself.
        expect({ code, signal }, output).toEqual({ code: 0, signal: null });
        expect(output).toContain('SIGTERM: finishing the batches in flight, then stopping.');
        expect(output).toContain('Database connections closed.');
        expect(await workerConnections(appName)).toBe(0);
        // The batch in flight committed with its watermark or not at all; the rest waits for the next run.
        const coverage = await watermarkCoverage(f.db, f.harness, alice, ALICE);
        expect(coverage).toMatchObject({ storedAbove: 0, missingBelow: 0 });
        expect(coverage.stored).toBeLessThan(400);
        // Leases freed, not left to expire; the run recorded as partial.
        const [aliceRow, bobRow] = await Promise.all([accountRow(f.db, alice), accountRow(f.db, ids[BOB] as string)]);
        expect(aliceRow.leaseOwner).toBeNull();
        expect(aliceRow.lastSyncOutcome).toBe('partial');
        // Bob was due by then, but nothing was leased after SIGTERM.
        expect(bobRow.leaseOwner).toBeNull();
        const bobRuns = await f.db
          .select()
          .from(syncRuns)
          .where(eq(syncRuns.accountId, ids[BOB] as string));
        expect(bobRuns).toEqual([]);
      } finally {
        if (child.exitCode === null && child.pid) signalTree(child.pid, 'SIGKILL');
      }
    },
  );
});
