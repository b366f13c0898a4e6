/**
 * `npm run bench [-- --messages N] [--quick] [--link 40ms,8MB]`: the DESIGN.md §7 targets measured side by side on this machine —
 * first sync vs mbsync, the raw IMAP ceiling, incremental and idle runs, many accounts with several processes,
 * peak memory, and console pages on a big database. Table on stdout, figures in bench/results/latest.json.
 * `--link` shapes every IMAP connection of the Exchange stand-in (round trip, bandwidth per connection; DESIGN.md's
 * Exchange-like link is `40ms,8MB`); the product and mbsync then share the same link.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startBenchHarness } from '@/bench/environment';
import { benchFirstSync } from '@/bench/first-sync';
import { benchManyAccounts } from '@/bench/many-accounts';
import { benchPages } from '@/bench/pages';
import { benchDelivery, benchWatchCost } from '@/bench/watch';
import { writeReport, type BenchResult } from '@/bench/report';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      runs: { type: 'string' },
      link: { type: 'string' },
    },
  });
  const link = values.link ? parseLink(values.link) : undefined;
  const quick = values.quick ?? false;
  const options = {
    quick,
    messages: Number(values.messages ?? (quick ? 2_000 : 10_000)),
    accounts: quick ? 20 : 200,
    rows: quick ? 100_000 : 1_000_000,
    runs: Number(values.runs ?? 3),
    link,
  };
  const parts = new Set(values.only ?? ['first-sync', 'memory', 'accounts', 'pages', 'delivery', 'watch-cost']);
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
    if (parts.has('accounts'))
      result.manyAccounts = await benchManyAccounts(harness, options.accounts, 50, 4, log).catch((e: unknown) =>
        fail(result, 'accounts', e),
      );
    if (parts.has('pages'))
      result.pages = await benchPages(1_000, options.rows, log).catch((e: unknown) => fail(result, 'pages', e));
    // IMAP IDLE (`--only delivery`, `--only watch-cost`): a watching worker, scaled down for --quick.
    if (parts.has('delivery'))
      result.delivery = await benchDelivery(
        harness,
        quick
          ? { mailboxes: 20, messages: 100, spreadSeconds: 30 }
          : { mailboxes: 100, messages: 1_000, spreadSeconds: 180 },
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
