import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBenchHarness } from '@/bench/environment';
import { benchGraphShaped, graphExactlyOnce, type GraphBenchResult } from '@/bench/graph';
import { benchGraphDelivery, type GraphDeliveryResult } from '@/bench/graph-delivery';
import { graphRows } from '@/bench/graph-report';
import type { NextServer } from '@/bench/next-server';
import { summaryLine, type BenchResult } from '@/bench/report';
import type { Harness } from '@/test/harness/fixture';
import { serveRoute } from '@/test/support/route-server';

/**
 * The bench's Graph rows (bench/graph.ts, bench/graph-delivery.ts): the exactly-once check, how the table shows
 * each row, and the shaped and delivery rows run end to end at tiny counts. Figures are only checked to be
 * figures: speed is the bench's to report, never a test's to assert.
 */
const pending: Promise<unknown>[] = [];
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  after: (task: () => Promise<unknown>) => void pending.push(Promise.resolve().then(task)),
}));

const log = () => {};

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
    const rows = graphRows({ graph: loopback(exact, wrong) });
    expect(rows.map((r) => r[0].trim())).toEqual([
      'graph mailbox (application access)',
      'graph first sync',
      'graph incremental +100',
      'graph idle (nothing new)',
    ]);
    expect(rows[1]?.[2]).toContain('exactly once ok');
    expect(rows[2]?.[2]).toContain('exactly once MISMATCH (201 rows, 200 Graph ids');
  });

  it('shows the shaped row against the IMAP shaped row, and the delivery row with its exactly-once check', () => {
    const exact = graphExactlyOnce({ rows: 10, graphIds: 10, sources: 10 }, 10);
    const graphShaped = {
      link: { roundTripMs: 40, bytesPerSecond: 8 * 1024 * 1024 },
      mailbox: { count: 10, bytes: 2 * 1024 * 1024, shapes: {} },
      firstSync: { ...summary(1000), processWallMs: [1500] },
      exact,
      connections: 3,
    };
    const imapProduct = { ...summary(500), msgPerSec: 20 };
    const rows = graphRows({
      graphShaped,
      shapedLink: { product: imapProduct } as BenchResult['shapedLink'],
      graphDelivery: delivery({ missing: 1 }),
    });
    expect(rows.map((r) => r[0].trim())).toEqual([
      'graph shaped link (40 ms, 8 MB/s per connection)',
      'graph first sync (shaped)',
      'graph delivery latency (2 subscribed)',
      'exactly once',
    ]);
    expect(rows[1]?.[2]).toContain('10 msg/s, 2.0 MB/s; 0.50× the IMAP shaped product row (20 msg/s)');
    expect(rows[2]?.[1]).toBe('p50 800 ms / p95 1900 ms / max 2100 ms');
    expect(rows[3]?.[1]).toBe('MISMATCH');
    // Without the IMAP shaped row (`--only graph`) the comparison says so rather than inventing a figure.
    expect(graphRows({ graphShaped })[1]?.[2]).toContain('IMAP shaped row not in this run');
  });

  it('puts the Graph delivery p95 on the summary line', () => {
    const result = { machine: {}, errors: {}, graphDelivery: delivery({}) } as unknown as BenchResult;
    expect(summaryLine(result)).toContain('delivery p95: n/a; graph delivery p95: 1900 ms;');
    expect(summaryLine({ ...result, graphDelivery: undefined })).toContain('graph delivery p95: n/a');
  });
});

describe('bench Graph rows, run end to end at tiny counts', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startBenchHarness();
  });
  afterAll(async () => {
    await Promise.allSettled(pending);
    await harness?.stop();
  });

  it('syncs a mailbox through the link shaper in front of the Graph stand-in, every message once', async () => {
    const result = await benchGraphShaped(
      harness,
      { roundTripMs: 40, bytesPerSecond: 8 * 1024 * 1024, messages: 12, runs: 1 },
      log,
    );
    expect(result.exact).toMatchObject({ ok: true, rows: 12, expected: 12 });
    expect(result.firstSync.runsMs).toHaveLength(1);
    expect(Number.isFinite(result.firstSync.msgPerSec)).toBe(true);
    // The sync reached Graph only through the shaper.
    expect(result.connections).toBeGreaterThan(0);
  }, 120_000);

  it('measures delivery through change notifications to the product route, every message once', async () => {
    const result = await benchGraphDelivery(
      harness,
      { mailboxes: 2, messages: 4, spreadSeconds: 1 },
      log,
      serveWebhookInProcess,
    );
    expect(result.subscribed).toBe(2);
    expect(result).toMatchObject({ missing: 0, duplicates: 0, messages: 4 });
    expect(Number.isFinite(result.p95Ms)).toBe(true);
    expect(result.p50Ms).toBeLessThanOrEqual(result.p95Ms);
    expect(result.notifications.posted).toBeGreaterThanOrEqual(1);
    expect(result.notifications.refused).toBe(0);
    // Every subscription ends with the part: nothing keeps posting to the stopped server.
    expect(harness.graph.subscriptions.list()).toEqual([]);
  }, 120_000);
});

/**
 * The product's notifications route served in this process (its after() work run at once, above) instead of
 * `next start`, which needs a production build: the route reads the bench database through the product's own
 * configuration, set here as the server's environment would be.
 */
async function serveWebhookInProcess(env: (url: string) => NodeJS.ProcessEnv): Promise<NextServer> {
  const route = await import('@/app/api/v1/graph/notifications/route');
  const server = await serveRoute((request) => route.POST(request));
  const configured = env(server.url);
  process.env.DATABASE_URL = configured.DATABASE_URL;
  process.env.GRAPH_NOTIFICATION_URL = configured.GRAPH_NOTIFICATION_URL;
  (globalThis as { __mailgateEnv?: unknown }).__mailgateEnv = undefined;
  return {
    url: server.url,
    built: false,
    output: () => '',
    stop: async () => {
      await server.close();
      while (pending.length) await Promise.allSettled(pending.splice(0));
      const { closeDatabase } = await import('@/lib/db');
      await closeDatabase();
    },
  };
}

function summary(medianMs: number) {
  return {
    runsMs: [medianMs],
    minMs: medianMs,
    medianMs,
    msgPerSec: 10 / (medianMs / 1000),
    mbPerSec: 2 / (medianMs / 1000),
    bestMsgPerSec: 10 / (medianMs / 1000),
  };
}

function loopback(exact: GraphBenchResult['exact'], wrong: GraphBenchResult['exact']): GraphBenchResult {
  return {
    mailbox: { count: 100, bytes: 1024 * 1024, shapes: {} },
    firstSync: { ...summary(1000), processWallMs: [1500], peakRssMb: [100] },
    exact,
    incremental: { added: 100, ms: 200, accountMs: 150, fetched: 100, exact: wrong },
    idle: { ms: 20, accountMs: 10, fetched: 0, exact: wrong },
  };
}

function delivery(overrides: Partial<GraphDeliveryResult>): GraphDeliveryResult {
  return {
    mailboxes: 2,
    messages: 4,
    spreadSeconds: 1,
    p50Ms: 800,
    p95Ms: 1900,
    maxMs: 2100,
    missing: 0,
    duplicates: 0,
    unsuccessfulSyncs: {},
    subscribed: 2,
    subscribeMs: 3000,
    notifications: { posted: 4, retried: 0, refused: 0 },
    ...overrides,
  };
}
