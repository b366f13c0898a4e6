import { describe, expect, it } from 'vitest';
import { graphExactlyOnce } from '@/bench/graph';
import { graphRows } from '@/bench/report';

/** The bench's exactly-once check for the Graph rows (bench/graph.ts) and how the table shows it. */
describe('bench Graph rows: exactly once', () => {
  it('holds only when rows, distinct Graph ids and sources all equal the mailbox count', () => {
    expect(graphExactlyOnce({ rows: 500, graphIds: 500, sources: 500 }, 500).ok).toBe(true);
    // A message stored twice under two ids, or one id stored twice, or a missing source: each is a mismatch.
    expect(graphExactlyOnce({ rows: 501, graphIds: 501, sources: 501 }, 500).ok).toBe(false);
    expect(graphExactlyOnce({ rows: 500, graphIds: 499, sources: 500 }, 500).ok).toBe(false);
    expect(graphExactlyOnce({ rows: 500, graphIds: 500, sources: 499 }, 500).ok).toBe(false);
    expect(graphExactlyOnce({ rows: 499, graphIds: 499, sources: 499 }, 500).ok).toBe(false);
  });

  it('prints MISMATCH in the table when a check fails', () => {
    const exact = graphExactlyOnce({ rows: 100, graphIds: 100, sources: 100 }, 100);
    const wrong = graphExactlyOnce({ rows: 201, graphIds: 200, sources: 201 }, 200);
    const rows = graphRows({
      mailbox: { count: 100, bytes: 1024 * 1024 } as never,
      firstSync: {
        runsMs: [1000],
        minMs: 1000,
        medianMs: 1000,
        msgPerSec: 100,
        mbPerSec: 1,
        bestMsgPerSec: 100,
        processWallMs: [1500],
        peakRssMb: [100],
      },
      exact,
      incremental: { added: 100, ms: 200, accountMs: 150, fetched: 100, exact: wrong },
      idle: { ms: 20, accountMs: 10, fetched: 0, exact: wrong },
    });
    expect(rows.map((r) => r[0].trim())).toEqual([
      'graph mailbox (application access)',
      'graph first sync',
      'graph incremental +100',
      'graph idle (nothing new)',
    ]);
    expect(rows[1]?.[2]).toContain('exactly once ok');
    expect(rows[2]?.[2]).toContain('exactly once MISMATCH (201 rows, 200 Graph ids');
  });
});
