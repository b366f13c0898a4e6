/**
 * The bench's table on stdout and every figure in bench/results/latest.json; the last line is the summary. The
 * same table, with the commit and date it was measured at, replaces the marked section of docs/performance.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { describeCommit, writeGeneratedSection } from '@/scripts/support/generated-doc-section';
import type { FirstSyncResult } from './first-sync';
import type { GraphBenchResult, GraphShapedResult } from './graph';
import type { GraphDeliveryResult } from './graph-delivery';
import { graphRows } from './graph-report';
import type { ManyAccountsResult } from './many-accounts';
import type { PagesResult } from './pages';
import type { PolledPassResult } from './polled-pass';
import type { ShapedIdleResult, ShapedLinkResult } from './shaped-link';
import { mb, sec, type Summary } from './stats';
import { watchRows, type DeliveryResult, type WatchCostResult } from './watch-report';

export interface BenchResult {
  startedAt: string;
  options: {
    messages: number;
    accounts: number;
    rows: number;
    quick: boolean;
    runs: number;
    polledMailboxes?: number;
    polledConcurrency?: number[];
    shaped?: { roundTripMs: number; bytesPerSecond: number; messages: number; runs?: number };
    delivery?: { mailboxes: number; messages: number };
    polledProcesses?: number[];
  };
  machine: { cpus: number; node: string; loadAverageAtStart: number[]; loadAverageAtEnd?: number[] };
  firstSync?: FirstSyncResult;
  graph?: GraphBenchResult;
  graphShaped?: GraphShapedResult;
  graphDelivery?: GraphDeliveryResult;
  manyAccounts?: ManyAccountsResult;
  polledPass?: PolledPassResult;
  shapedLink?: ShapedLinkResult;
  shapedIdle?: ShapedIdleResult;
  pages?: PagesResult;
  delivery?: DeliveryResult;
  watchCost?: WatchCostResult;
  errors: Record<string, string>;
}

export async function writeReport(result: BenchResult): Promise<void> {
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/latest.json', `${JSON.stringify(result, null, 2)}\n`);
  const rows = tableRows(result);
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  for (const r of rows) console.log(`${r[0].padEnd(widths[0] ?? 0)}  ${r[1].padEnd(widths[1] ?? 0)}  ${r[2]}`);
  console.log(summaryLine(result));
}

const DOC = 'docs/performance.md';

/** Replaces the generated section of docs/performance.md with this run's table, its commit and date. */
export async function writePerformanceDoc(result: BenchResult): Promise<void> {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const options = result.options;
  const load = (values: number[] | undefined) => (values ?? []).map((v) => v.toFixed(1)).join(' ');
  const section = [
    `Written by \`npm run bench${options.quick ? ' -- --quick' : ''}\` at ${describeCommit()} on ${result.startedAt.slice(0, 10)} ` +
      `(${result.machine.cpus} CPUs, load average ${load(result.machine.loadAverageAtStart)} at the start, ` +
      `${load(result.machine.loadAverageAtEnd)} at the end).`,
    '',
    '| measurement | result | notes |',
    '|---|---|---|',
    ...tableRows(result).map((r) => `| ${cell(r[0].trim())} | ${cell(r[1])} | ${cell(r[2])} |`),
    '',
    `Summary: ${summaryLine(result)}`,
  ].join('\n');
  writeGeneratedSection(DOC, 'bench', section);
}

function tableRows(result: BenchResult): [string, string, string][] {
  const f = result.firstSync;
  const rows: [string, string, string][] = [];
  const line = (name: string, s: Summary) =>
    rows.push([
      name,
      `min ${sec(s.minMs)} / median ${sec(s.medianMs)}`,
      `${s.msgPerSec.toFixed(0)} msg/s, ${s.mbPerSec.toFixed(1)} MB/s`,
    ]);
  if (f) {
    rows.push([
      'mailbox',
      `${f.mailbox.count} messages`,
      `${f.mailbox.bytes} bytes (${mb(f.mailbox.bytes)}) ${JSON.stringify(f.mailbox.shapes)}`,
    ]);
    line('mbsync (default, fsync)', f.mbsync);
    line('mbsync (FSync no)', f.mbsyncNoFsync);
    line('product first sync', f.product);
    rows.push([
      '  product process wall',
      f.product.processWallMs.map(sec).join(', '),
      `peak RSS ${f.product.peakRssMb.map((v) => v.toFixed(0)).join(', ')} MB`,
    ]);
    rows.push([
      '  ratio product/mbsync',
      `default ${ratio(f.mbsync, f.product)}`,
      `FSync no ${ratio(f.mbsyncNoFsync, f.product)}`,
    ]);
    line('raw imapflow FETCH 1:*', f.raw);
    rows.push(['  product / raw ceiling', (f.raw.medianMs / f.product.medianMs).toFixed(2), '']);
    rows.push([
      '  exactly once',
      f.exact.ok ? 'ok' : 'MISMATCH',
      `${f.exact.rows} rows, ${f.exact.sources} sources, expected ${f.exact.expected}`,
    ]);
    rows.push([
      '  stored',
      `${Object.values(f.storedMb ?? {})
        .reduce((a, b) => a + b, 0)
        .toFixed(1)} MB`,
      Object.entries(f.storedMb ?? {})
        .map(([k, v]) => `${k} ${v} MB`)
        .join(', '),
    ]);
    rows.push([
      'incremental +100',
      `${f.incremental.ms.toFixed(0)} ms runSync`,
      `account ${f.incremental.accountMs} ms, fetched ${f.incremental.fetched} (target < 1 s), fresh process, loopback`,
    ]);
    if (f.incrementalWarm)
      rows.push([
        '  in a warm process',
        `${f.incrementalWarm.ms.toFixed(0)} ms runSync`,
        `account ${f.incrementalWarm.accountMs} ms, fetched ${f.incrementalWarm.fetched} (target < 0.5 s; cron route, --watch worker)`,
      ]);
    rows.push([
      'idle (nothing new)',
      `${f.idle.ms.toFixed(0)} ms runSync`,
      `account ${f.idle.accountMs} ms (target < 100 ms)`,
    ]);
    const c = f.cpuPerGb;
    if (c)
      rows.push([
        '  CPU-seconds per GB',
        `product: sync ${num(c.product.client)}, Postgres ${num(c.product.postgres)}, Dovecot ${num(c.product.dovecot)}, stand-in ${num(c.product.standIn)}`,
        `mbsync: mbsync ${num(c.mbsync.client)}, Dovecot ${num(c.mbsync.dovecot)}, stand-in ${num(c.mbsync.standIn)} (efficiency figure, last run of each)`,
      ]);
    const big = f.bigAttachments;
    if (big)
      rows.push([
        `${big.attachmentMb} MB attachments`,
        `${big.messages} msgs, ${mb(big.bytes)} in ${sec(big.ms)}`,
        `peak RSS ${big.peakRssMb.toFixed(0)} MB (target < 300)`,
      ]);
  }
  rows.push(...graphRows(result));
  const m = result.manyAccounts;
  if (m) {
    rows.push([
      `${m.accounts} accounts × ${m.messagesPerAccount}`,
      `${m.processes} processes, wall ${sec(m.wallMs)}`,
      `${((m.accounts * m.messagesPerAccount) / (m.wallMs / 1000)).toFixed(0)} msg/s; connect ${sec(m.connectMs)}`,
    ]);
    rows.push([
      '  exactly once',
      m.exact.ok ? 'ok' : 'MISMATCH',
      `${m.exact.rows}/${m.exact.expected} rows, ${m.exact.sources} sources, reported ${m.exact.reportedFetched}, ${m.exact.accountsWrong} accounts wrong`,
    ]);
    rows.push([
      '  per process',
      m.perProcess.map((p) => `${p.accounts} acc/${p.fetched}`).join(' '),
      `peak RSS ${m.perProcess.map((p) => p.peakRssMb?.toFixed(0)).join(', ')} MB`,
    ]);
  }
  const shaped = result.shapedLink;
  if (shaped) {
    const link = `${shaped.link.roundTripMs} ms, ${(shaped.link.bytesPerSecond / 1024 / 1024).toFixed(0)} MB/s per connection`;
    rows.push([
      `shaped link (${link})`,
      `${shaped.mailbox.count} messages`,
      `${mb(shaped.mailbox.bytes)}, from empty, same mailbox`,
    ]);
    line('  mbsync', shaped.mbsync);
    line('  product first sync', shaped.product);
    rows.push([
      '  ratio product/mbsync',
      shaped.ratio.toFixed(2),
      `target ≥ 2; exactly once ${shaped.exact.ok ? 'ok' : 'MISMATCH'} (${shaped.exact.rows}/${shaped.exact.expected} rows)`,
    ]);
    const incrementals = [
      ...(shaped.baselineIncremental ? [['  incremental +100 (baseline)', shaped.baselineIncremental] as const] : []),
      ['  incremental +100', shaped.incremental] as const,
    ];
    for (const [label, incremental] of incrementals)
      rows.push([
        label,
        `${incremental.ms.toFixed(0)} ms, ${incremental.roundTrips} round trips`,
        `${incremental.ratioToLink.toFixed(2)}× the ${incremental.linkMs.toFixed(0)} ms the link needs for ${mb(incremental.bytes)} (target ≤ 1.3×)`,
      ]);
    rows.push([
      '  idle (nothing new)',
      `${shaped.idle.ms.toFixed(0)} ms, ${shaped.idle.roundTrips} round trips`,
      `${shaped.idle.connections} connection(s) + ${shaped.idle.commands} commands (target ≤ 4)`,
    ]);
    if (shaped.watchedIdle)
      rows.push([
        '  idle, watched (polled pass)',
        `${shaped.watchedIdle.roundTrips} round trips`,
        `${shaped.watchedIdle.synced} synced: an IDLE watch covers the INBOX (target 0)`,
      ]);
  }
  const shapedIdle = result.shapedIdle;
  if (shapedIdle)
    for (const run of shapedIdle.runs)
      rows.push([
        `shaped idle (${shapedIdle.link.roundTripMs} ms)${run.code === 'baseline' ? ' (baseline)' : ''}`,
        `${run.ms.toFixed(0)} ms, ${run.roundTrips} round trips`,
        `fresh process, ${run.connections} connection(s) + ${run.commands} commands (target ≤ 4)`,
      ]);
  const polled = result.polledPass;
  if (polled)
    for (const run of polled.runs)
      rows.push([
        `polled pass, ${polled.mailboxes} idle mailboxes${run.code === 'baseline' ? ' (baseline)' : ''}`,
        `${sec(run.ms)}, ${run.mailboxesPerSecond.toFixed(0)} mailboxes/s`,
        `${(run.processes ?? 1) === 1 ? 'one process' : `${run.processes} processes`}, SYNC_CONCURRENCY ${run.concurrency}, ${run.server === 'exchange' ? 'through the Exchange stand-in' : 'straight to Dovecot'} (target ≥ 100/s)`,
      ]);
  const p = result.pages;
  if (p) {
    rows.push([
      `pages (${p.accounts} accounts, ${p.messages} rows)`,
      `seeded in ${sec(p.seedMs)}`,
      'median of 3 warm GETs (target < 300 ms)',
    ]);
    for (const page of p.pages)
      rows.push([
        `  ${page.path.slice(0, 60)}`,
        `${page.medianMs.toFixed(0)} ms`,
        `HTTP ${page.status}, ${page.bytes} bytes`,
      ]);
  }
  rows.push(...watchRows(result));
  rows.push([
    'load average start/end',
    result.machine.loadAverageAtStart.map((v) => v.toFixed(1)).join(' '),
    (result.machine.loadAverageAtEnd ?? []).map((v) => v.toFixed(1)).join(' ') +
      ` (${result.machine.cpus} CPUs; other work on the machine skews every figure)`,
  ]);
  for (const [part, error] of Object.entries(result.errors)) rows.push([`ERROR ${part}`, error.slice(0, 200), '']);
  return rows;
}

export function summaryLine(result: BenchResult): string {
  const f = result.firstSync;
  const delivery = result.delivery ? `${result.delivery.p95Ms.toFixed(0)} ms` : 'n/a';
  const graphDelivery = result.graphDelivery ? `${result.graphDelivery.p95Ms.toFixed(0)} ms` : 'n/a';
  const shaped = result.shapedLink ? result.shapedLink.ratio.toFixed(2) : 'n/a';
  const tail = `delivery p95: ${delivery}; graph delivery p95: ${graphDelivery}; shaped first-sync ratio vs mbsync: ${shaped}`;
  if (!f)
    return `first-sync ratio vs mbsync: n/a (product n/a msg/s, mbsync n/a msg/s); incremental 100: n/a ms; peak RSS: n/a MB; ${tail}`;
  const peak = Math.max(...f.product.peakRssMb, f.bigAttachments?.peakRssMb ?? 0);
  return `first-sync ratio vs mbsync: ${ratio(f.mbsync, f.product)} (product ${f.product.msgPerSec.toFixed(0)} msg/s, mbsync ${f.mbsync.msgPerSec.toFixed(0)} msg/s); incremental 100: ${f.incremental.ms.toFixed(0)} ms; peak RSS: ${peak.toFixed(0)} MB; ${tail}`;
}

function num(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(1);
}

function ratio(reference: Summary, product: Summary): string {
  return (reference.medianMs / product.medianMs).toFixed(2);
}
