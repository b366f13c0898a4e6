/**
 * Soak: two cron route invocations at a time (the route handler, in-process, with the bearer secret) and two
 * `npm run sync -- --watch 2` worker processes, over five mailboxes connected through the real flow, while mail
 * arrives steadily into the maildirs. 40 s by default, 10 minutes with RELIABILITY_SOAK=1, any number of seconds
 * with RELIABILITY_SOAK_SECONDS. At the end: arrivals stop, a final pass runs, every mailbox is exact (0 lost,
 * 0 duplicated), the passes together fetched each message exactly once, and no lease is held.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, gt, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '@/test/reliability/support/scenarios';
import { seedSoakMessages, soakMessage } from '@/test/reliability/support/soak-mail';
import {
  failedLines,
  fetchedByAddress,
  startSyncWorker,
  type SyncWorker,
} from '@/test/reliability/support/soak-workers';
import { startTokenFixture, type TokenFixture } from '@/test/reliability/support/token-fixture';

const SOAK = process.env.RELIABILITY_SOAK === '1';
const DURATION_MS = Number(process.env.RELIABILITY_SOAK_SECONDS ?? (SOAK ? 600 : 40)) * 1000;
/** One message every 200 ms across the mailboxes: 5 a second, bounded. */
const ARRIVAL_EVERY_MS = 200;
const INITIAL = 40;
const CRON_SECRET = 'soak-cron-secret-0123456789abcdef';
const ADDRESSES = ['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => `${name}@contoso.test`);

interface CronReport {
  accounts: { address: string; fetched: number; outcome: string; error?: { code: string; message: string } }[];
}

let t: TokenFixture;
let schema: typeof import('@/lib/db/schema');
let route: typeof import('@/app/api/cron/sync/route');
const workers: SyncWorker[] = [];

beforeAll(async () => {
  process.env.CRON_SECRET = CRON_SECRET;
  t = await startTokenFixture(ADDRESSES);
  schema = await import('@/lib/db/schema');
  route = await import('@/app/api/cron/sync/route');
  for (const address of ADDRESSES) await seedSoakMessages(t.f.harness, address, 'initial', INITIAL);
}, 180_000);
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop(10_000)));
  await t?.stop();
});

/** A hung step fails the test with its name instead of running into the test's timeout. */
async function within<T>(ms: number, step: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${step} did not finish within ${ms / 1000} s`)), ms)),
  );
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function cronPass(): Promise<CronReport> {
  const response = await within(
    180_000,
    'a cron route invocation',
    route.GET(new Request('http://127.0.0.1/api/cron/sync', { headers: { authorization: `Bearer ${CRON_SECRET}` } })),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as CronReport;
}

/** Stands for time passing: the product waits a minute between successful syncs of a mailbox. */
const makeAllDue = () => t.f.db.update(schema.mailAccounts).set({ nextAttemptAt: sql`now()` });

describe('soak: cron and CLI workers at once while mail arrives', () => {
  it(
    `stores every message exactly once after ${DURATION_MS / 1000} s of steady arrivals, no lease left held`,
    async () => {
      const delivered = new Map(ADDRESSES.map((a) => [a, 0]));
      const cronReports: CronReport[] = [];
      const env = { ...process.env, LOG_LEVEL: 'silent' };
      workers.push(startSyncWorker(env), startSyncWorker(env));

      const until = Date.now() + DURATION_MS;
      const arrivals = (async () => {
        for (let n = 0; Date.now() < until; n += 1) {
          const address = ADDRESSES[n % ADDRESSES.length] as string;
          const index = delivered.get(address) ?? 0;
          await t.f.harness.maildirs.deliver(address, soakMessage(address, 'arrival', index));
          delivered.set(address, index + 1);
          await sleep(ARRIVAL_EVERY_MS);
        }
      })();
      const due = (async () => {
        while (Date.now() < until) {
          await makeAllDue();
          await sleep(1_000);
        }
      })();
      const cron = async () => {
        while (Date.now() < until) {
          cronReports.push(await cronPass());
          await sleep(500);
        }
      };
      await within(DURATION_MS + 240_000, 'the arrival period', Promise.all([arrivals, due, cron(), cron()]));

      // Arrivals stopped. Let the workers catch up with everything, then stop them by PID.
      const expected = new Map(ADDRESSES.map((a) => [a, INITIAL + (delivered.get(a) ?? 0)]));
      const total = [...expected.values()].reduce((a, b) => a + b, 0);
      await makeAllDue();
      const deadline = Date.now() + (SOAK ? 600_000 : 180_000);
      for (;;) {
        const [row] = await t.f.db.select({ n: sql<number>`count(*)::int` }).from(schema.messages);
        if ((row?.n ?? 0) >= total || Date.now() > deadline) break;
        await sleep(1_000);
      }
      const codes = await within(
        120_000,
        'stopping the workers',
        Promise.all(workers.splice(0).map(async (w) => ({ code: await w.stop(), output: w.output() }))),
      );
      for (const { code, output } of codes) {
        expect(code, output.slice(-2000)).toBe(0);
        expect(failedLines(output)).toEqual([]);
      }

      // The final pass: the cron route once more, over every mailbox.
      await makeAllDue();
      const final = await cronPass();
      cronReports.push(final);
      expect(final.accounts.map((a) => a.outcome).sort()).toEqual(ADDRESSES.map(() => 'success'));

      for (const report of cronReports)
        for (const account of report.accounts)
          expect(account.outcome, JSON.stringify(account.error)).not.toBe('failed');
      // Every message fetched once across all passes of all four participants.
      const fetched = new Map<string, number>();
      const add = (address: string, n: number) => fetched.set(address, (fetched.get(address) ?? 0) + n);
      for (const report of cronReports) for (const account of report.accounts) add(account.address, account.fetched);
      const byWorker = codes.map(({ output }) => fetchedByAddress(output));
      for (const counts of byWorker) for (const [address, n] of counts) add(address, n);
      expect(Object.fromEntries(fetched)).toEqual(Object.fromEntries(expected));

      const sums = { expected: 0, stored: 0, lost: 0, duplicated: 0 };
      for (const address of ADDRESSES) {
        const exact = await t.exactness(address);
        expect(exact, address).toEqual({
          expected: expected.get(address),
          stored: expected.get(address),
          lost: 0,
          duplicated: 0,
          altered: 0,
        });
        sums.expected += exact.expected;
        sums.stored += exact.stored;
        sums.lost += exact.lost;
        sums.duplicated += exact.duplicated;
      }
      const held = await t.f.db
        .select({ id: schema.mailAccounts.id })
        .from(schema.mailAccounts)
        .where(and(isNotNull(schema.mailAccounts.leaseOwner), gt(schema.mailAccounts.leaseExpiresAt, sql`now()`)));
      expect(held).toEqual([]);
      const [runs] = await t.f.db
        .select({ n: sql<number>`count(*)::int` })
        .from(schema.syncRuns)
        .where(eq(schema.syncRuns.outcome, 'success'));

      const cronFetched = cronReports.flatMap((r) => r.accounts).reduce((s, a) => s + a.fetched, 0);
      const workerFetched = byWorker.map((m) => [...m.values()].reduce((s, n) => s + n, 0));
      await recordScenario({
        group: 'soak',
        scenario: `2 cron + 2 CLI workers, ${ADDRESSES.length} mailboxes, mail arriving for ${DURATION_MS / 1000} s`,
        expected: sums.expected,
        stored: sums.stored,
        lost: sums.lost,
        duplicated: sums.duplicated,
        note: `fetched by cron ${cronFetched}, workers ${workerFetched.join(' + ')}; ${cronReports.length} cron passes, ${runs?.n} successful runs; no lease held`,
      });
    },
    DURATION_MS + (SOAK ? 1_500_000 : 400_000),
  );
});
