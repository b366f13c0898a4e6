/**
 * Faults part B, scenario 6: a mailbox too large for one run. Each run has a small time budget, stops starting
 * batches when it is spent (outcome partial, due again at once), and the next run resumes from the watermark
 * until the mailbox is complete: exact at the end, and never a duplicate in between. 3,000 messages by default;
 * 100,000 small ones with RELIABILITY_SOAK=1.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSoakMessages } from '@/test/reliability/support/soak-mail';
import { startTokenFixture, type TokenFixture } from '@/test/reliability/support/token-fixture';
import { recordExactness } from '@/test/reliability/support/scenarios';

const SOAK = process.env.RELIABILITY_SOAK === '1';
const COUNT = SOAK ? 100_000 : 3_000;
const BUDGET_MS = SOAK ? 20_000 : 1_500;
const BATCH = { messages: SOAK ? 500 : 100, bytes: 16 * 1024 * 1024 };
const ADDRESS = 'alice@contoso.test';
const MAX_RUNS = SOAK ? 2_000 : 500;

let t: TokenFixture;
let schema: typeof import('@/lib/db/schema');
beforeAll(
  async () => {
    t = await startTokenFixture([ADDRESS]);
    schema = await import('@/lib/db/schema');
    if (SOAK) await seedSoakMessages(t.f.harness, ADDRESS, 'large', COUNT);
    else await t.f.harness.seed.messages(ADDRESS, { count: COUNT, seed: 100 });
  },
  SOAK ? 900_000 : 180_000,
);
afterAll(async () => t?.stop());

describe('a large mailbox over time-budgeted runs', () => {
  it(
    `resumes from the watermark run after run until all ${COUNT} messages are stored exactly once`,
    async () => {
      const id = t.idOf(ADDRESS);
      const storedRows = async () => {
        const [row] = await t.f.db
          .select({
            rows: sql<number>`count(*)::int`,
            uids: sql<number>`count(distinct uid)::int`,
            top: sql<number>`coalesce(max(uid), 0)::int`,
          })
          .from(schema.messages)
          .where(eq(schema.messages.accountId, id));
        return row ?? { rows: 0, uids: 0, top: 0 };
      };
      const outcomes: string[] = [];
      let previous = 0;
      let clock = 0;
      for (let run = 0; run < MAX_RUNS; run += 1) {
        clock += 1_000; // a partial run is due again at once; the next pass may come a second later
        const report = await t.pass({ laterMs: clock, deps: { budgetMs: BUDGET_MS, batch: BATCH } });
        const mine = report.accounts.find((a) => a.accountId === id);
        if (!mine) continue;
        expect(mine.outcome).not.toBe('failed');
        outcomes.push(mine.outcome);
        const now = await storedRows();
        // Each run continues where the last one stopped: rows only grow, never twice for a UID, and the
        // watermark covers exactly what is stored.
        expect(now.rows).toBe(now.uids);
        expect(now.rows).toBe(previous + mine.fetched);
        const [state] = await t.f.db
          .select()
          .from(schema.mailFolderState)
          .where(eq(schema.mailFolderState.accountId, id));
        expect(state?.lastUid ?? 0).toBe(now.top);
        previous = now.rows;
        if (mine.outcome === 'success') break;
        expect(await t.account(ADDRESS)).toMatchObject({ leaseOwner: null, lastSyncOutcome: 'partial' });
      }
      expect(outcomes.at(-1)).toBe('success');
      const partial = outcomes.filter((o) => o === 'partial').length;
      expect(partial).toBeGreaterThanOrEqual(2);

      const exact = await t.exactness(ADDRESS);
      expect(exact).toEqual({ expected: COUNT, stored: COUNT, lost: 0, duplicated: 0, altered: 0 });
      await recordExactness(
        `large mailbox (${COUNT.toLocaleString('en')}) over time-budgeted runs`,
        exact,
        `${partial} partial runs of ${BUDGET_MS / 1000} s, then complete; each resumed from the watermark`,
        SOAK ? 'soak' : 'faults',
      );
    },
    SOAK ? 3_600_000 : 600_000,
  );
});
