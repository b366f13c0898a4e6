/**
 * `npm run bench [-- --messages N] [--quick] [--link 40ms,8MB] [--rtt 40] [--bandwidth 8] [--only part]`: the
 * targets measured side by side on this machine — first sync vs mbsync on loopback (with CPU seconds per GB by
 * process) and on an Exchange-like shaped link (`--rtt` ms, `--bandwidth` MB/s per connection), the raw IMAP
 * ceiling, incremental and idle runs, many accounts with several processes, a polled pass over many idle
 * mailboxes (`--mailboxes N`, `--concurrency C` and `--processes N` repeatable, `--baseline <checkout>` to time
 * another commit's sync on the same database; also for `--only shaped-idle`, the shaped idle row alone, and for the
 * shaped incremental +100), peak memory, and console pages on a big database; the Graph transport's first sync,
 * incremental and idle on loopback, its first sync on the shaped link and its delivery latency through change
 * notifications (`--only graph`; `graph-shaped`, `graph-delivery` alone). Table on stdout, figures in
 * bench/results/latest.json, and the table with its commit and date in docs/performance.md.
 * `--link` shapes every IMAP connection of the Exchange stand-in (round trip, bandwidth per connection; DESIGN.md's
 * Exchange-like link is `40ms,8MB`); the product and mbsync then share the same link.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startBenchHarness } from '@/bench/environment';
import { benchFirstSync } from '@/bench/first-sync';
import { benchGraph, benchGraphShaped } from '@/bench/graph';
import { benchGraphDelivery } from '@/bench/graph-delivery';
import { benchManyAccounts } from '@/bench/many-accounts';
import { benchPages } from '@/bench/pages';
import { benchDelivery, benchWatchCost } from '@/bench/watch';
import { benchPolledPass } from '@/bench/polled-pass';
import { benchShapedIdle, benchShapedLink } from '@/bench/shaped-link';
import { writePerformanceDoc, writeReport, type BenchResult } from '@/bench/report';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      runs: { type: 'string' },
      link: { type: 'string' },
      mailboxes: { type: 'string' },
      baseline: { type: 'string' },
      rtt: { type: 'string' },
      bandwidth: { type: 'string' },
      concurrency: { type: 'string', multiple: true },
      processes: { type: 'string', multiple: true },
    },
  });
  const link = values.link ? parseLink(values.link) : undefined;
  const quick = values.quick ?? false;
  const options = {
    quick,
    messages: Number(values.messages ?? (quick ? 2_000 : 10_000)),
    accounts: quick ? 20 : 200,
    // The Exchange-like link of the shaped rows: round trip (ms) and bandwidth per connection (MB/s).
    shaped: {
      roundTripMs: Number(values.rtt ?? 40),
      bytesPerSecond: Number(values.bandwidth ?? 8) * 1024 * 1024,
      messages: quick ? 500 : 1_000,
      runs: Math.min(Number(values.runs ?? 3), quick ? 1 : 2),
    },
    // Delivery latency (IMAP IDLE and Graph change notifications): mail at random moments over a window.
    delivery: quick ? { mailboxes: 20, messages: 100 } : { mailboxes: 100, messages: 1_000 },
    polledMailboxes: Number(values.mailboxes ?? (quick ? 200 : 1_000)),
    polledConcurrency: (values.concurrency ?? (quick ? ['16'] : ['4', '16'])).map(Number),
    // Sync processes sharing one polled pass through the lease (`--processes 1 --processes 2`).
    polledProcesses: (values.processes ?? ['1']).map(Number),
    rows: quick ? 100_000 : 1_000_000,
    runs: Number(values.runs ?? 3),
    link,
  };
  const parts = new Set(
    values.only ?? ['first-sync', 'memory', 'graph', 'shaped', 'accounts', 'polled', 'pages', 'delivery', 'watch-cost'],
  );
  const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    options,
    machine: { cpus: cpus().length, node: process.version, loadAverageAtStart: loadavg() },
    errors: {},
  };
  const harness = await startBenchHarness({ link });
  try {
    if (parts.has('first-sync'))
      result.firstSync = await benchFirstSync(harness, options.messages, options.runs, log, {
        memory: parts.has('memory'),
        bigMessages: quick ? 4 : 12,
      }).catch((e: unknown) => fail(result, 'first-sync', e));
    // `--only graph`: the Graph transport's rows — first sync, incremental and idle on loopback, first sync on the
    // shaped link, delivery latency through change notifications (`graph-shaped`, `graph-delivery` alone).
    if (parts.has('graph'))
      result.graph = await benchGraph(harness, quick ? 500 : 2_000, Math.min(options.runs, quick ? 2 : 3), log).catch(
        (e: unknown) => fail(result, 'graph', e),
      );
    if (parts.has('graph') || parts.has('graph-shaped'))
      result.graphShaped = await benchGraphShaped(harness, options.shaped, log).catch((e: unknown) =>
        fail(result, 'graph-shaped', e),
      );
    if (parts.has('graph') || parts.has('graph-delivery'))
      result.graphDelivery = await benchGraphDelivery(
        harness,
        { ...options.delivery, spreadSeconds: quick ? 60 : 180 },
        log,
      ).catch((e: unknown) => fail(result, 'graph-delivery', e));
    if (parts.has('shaped'))
      result.shapedLink = await benchShapedLink(
        harness,
        options.shaped,
        options.shaped.messages,
        options.shaped.runs,
        log,
        values.baseline,
      ).catch((e: unknown) => fail(result, 'shaped', e));
    // `--only shaped-idle`: the shaped link's idle row alone (`--baseline` times another checkout beside it).
    if (parts.has('shaped-idle'))
      result.shapedIdle = await benchShapedIdle(harness, options.shaped, options.runs, log, values.baseline).catch(
        (e: unknown) => fail(result, 'shaped-idle', e),
      );
    if (parts.has('accounts'))
      result.manyAccounts = await benchManyAccounts(harness, options.accounts, 50, 4, log).catch((e: unknown) =>
        fail(result, 'accounts', e),
      );
    if (parts.has('polled'))
      result.polledPass = await benchPolledPass(
        harness,
        options.polledMailboxes,
        options.polledConcurrency,
        log,
        values.baseline,
        options.polledProcesses,
      ).catch((e: unknown) => fail(result, 'polled', e));
    if (parts.has('pages'))
      result.pages = await benchPages(1_000, options.rows, log).catch((e: unknown) => fail(result, 'pages', e));
    // IMAP IDLE (`--only delivery`, `--only watch-cost`): a watching worker, scaled down for --quick.
    if (parts.has('delivery'))
      result.delivery = await benchDelivery(
        harness,
        { ...options.delivery, spreadSeconds: quick ? 30 : 180 },
        log,
      ).catch((e: unknown) => fail(result, 'delivery', e));
    if (parts.has('watch-cost'))
      result.watchCost = await benchWatchCost(
        harness,
        quick ? { mailboxes: 200, sampleSeconds: 20 } : { mailboxes: 1_000, sampleSeconds: 60 },
        log,
      ).catch((e: unknown) => fail(result, 'watch-cost', e));
  } finally {
    await harness.stop();
  }
  result.machine.loadAverageAtEnd = loadavg();
  await writeReport(result);
  await writePerformanceDoc(result);
}

/** `40ms,8MB` → 40 ms round trip, 8 MB/s per connection; either part may be left out. */
function parseLink(text: string): { roundTripMs?: number; bytesPerSecond?: number } {
  const link: { roundTripMs?: number; bytesPerSecond?: number } = {};
  for (const part of text.split(',')) {
    const rtt = /^(\d+(?:\.\d+)?)ms$/i.exec(part.trim());
    const rate = /^(\d+(?:\.\d+)?)MB$/i.exec(part.trim());
    if (rtt) link.roundTripMs = Number(rtt[1]);
    else if (rate) link.bytesPerSecond = Number(rate[1]) * 1024 * 1024;
    else throw new Error(`--link takes e.g. 40ms,8MB; got "${part}"`);
  }
  return link;
}

function fail(result: BenchResult, part: string, error: unknown): undefined {
  result.errors[part] = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`bench ${part} failed: ${result.errors[part]}\n`);
  return undefined;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
