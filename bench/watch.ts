/**
 * IMAP IDLE, measured on the worker the product ships (`npm run sync -- --watch`, the compiled CLI):
 *
 * - Delivery latency (bench/delivery-latency.ts): mailboxes watched by one worker, mail delivered through the SMTP
 *   stand-in at random moments, to the committed row. The worker polls once an hour, so only the watch brings
 *   mail in.
 * - Cost of watching: one worker watching many mailboxes, nothing arriving: its RSS and CPU share while idle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { measureDelivery, type DeliveryLatency } from './delivery-latency';
import { productEnv } from './environment';
import { createProductDatabase, type ProductDatabase } from './product-database';

export interface DeliveryResult extends DeliveryLatency {
  mailboxes: number;
  watchStartMs: number;
}

export interface WatchCostResult {
  mailboxes: number;
  watched: number;
  watchStartMs: number;
  sampleSeconds: number;
  rssMb: number;
  /** Share of one core the worker used while idle, in percent. */
  cpuPercent: number;
}

const CLOCK_TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in these on Linux

export async function benchDelivery(
  harness: Harness,
  options: { mailboxes: number; messages: number; spreadSeconds: number },
  log: (line: string) => void,
): Promise<DeliveryResult> {
  const db = await createProductDatabase(harness);
  const addresses = Array.from(
    { length: options.mailboxes },
    (_, i) => `watch${String(i).padStart(4, '0')}@contoso.test`,
  );
  await db.connect(addresses);
  const worker = startWorker(db);
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    const watchStartMs = await waitForWatches(sql, options.mailboxes, worker, log);
    const latency = await measureDelivery(harness, sql, addresses, { ...options, trigger: 'watch' }, log);
    return { ...latency, mailboxes: options.mailboxes, watchStartMs };
  } finally {
    await sql.end();
    await stopWorker(worker);
    await db.drop();
  }
}

export async function benchWatchCost(
  harness: Harness,
  options: { mailboxes: number; sampleSeconds: number },
  log: (line: string) => void,
): Promise<WatchCostResult> {
  const db = await createProductDatabase(harness);
  const addresses = Array.from(
    { length: options.mailboxes },
    (_, i) => `idle${String(i).padStart(4, '0')}@contoso.test`,
  );
  const t0 = Date.now();
  await db.connect(addresses);
  log(`connected ${options.mailboxes} mailboxes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const worker = startWorker(db);
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const watchStartMs = await waitForWatches(sql, options.mailboxes, worker, log);
    // The start-up syncs (one per mailbox) end; then nothing arrives.
    await sleep(10_000);
    const pid = worker.child.pid as number;
    const before = await cpuTicks(pid);
    const started = Date.now();
    await sleep(options.sampleSeconds * 1000);
    const ticks = (await cpuTicks(pid)) - before;
    const elapsed = (Date.now() - started) / 1000;
    const [watched] = await sql<
      { n: number }[]
    >`select count(*)::int as n from mailbox_watches where expires_at > now()`;
    return {
      mailboxes: options.mailboxes,
      watched: watched?.n ?? 0,
      watchStartMs,
      sampleSeconds: Math.round(elapsed),
      rssMb: (await rssKb(pid)) / 1024,
      cpuPercent: (ticks / CLOCK_TICKS / elapsed) * 100,
    };
  } finally {
    await sql.end();
    await stopWorker(worker);
    await db.drop();
  }
}

interface Worker {
  child: ChildProcess;
  output(): string;
}

/** The compiled `npm run sync -- --watch` (scripts/cli.mjs), polling once an hour so only watches bring mail. */
function startWorker(db: ProductDatabase): Worker {
  const child = spawn(process.execPath, ['scripts/cli.mjs', 'sync', '--watch', '3600'], {
    env: productEnv(db.url, { SYNC_WATCH_MAX: '100000' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || !worker.child.pid) return;
  const exited = new Promise((resolve) => worker.child.once('exit', resolve));
  worker.child.kill('SIGTERM');
  const killer = setTimeout(() => worker.child.pid && process.kill(worker.child.pid, 'SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

/** Milliseconds from now until every mailbox is watched and its first (catch-up) sync has run. */
async function waitForWatches(
  sql: postgres.Sql,
  mailboxes: number,
  worker: Worker,
  log: (line: string) => void,
): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const [row] = await sql<{ watched: number; synced: number }[]>`
      select (select count(*)::int from mailbox_watches where expires_at > now()) as watched,
             (select count(distinct account_id)::int from sync_runs where trigger = 'watch' and outcome <> 'running') as synced`;
    if (row && row.watched >= mailboxes && row.synced >= mailboxes) break;
    if (worker.child.exitCode !== null) throw new Error(`watch worker exited: ${worker.output().slice(-2000)}`);
    if (Date.now() - t0 > 15 * 60_000)
      throw new Error(`only ${row?.watched} of ${mailboxes} watched after 15 minutes: ${worker.output().slice(-2000)}`);
    await sleep(250);
  }
  const ms = Date.now() - t0;
  log(`${mailboxes} mailboxes watched and caught up in ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
}
