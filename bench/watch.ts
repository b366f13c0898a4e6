/**
 * IMAP IDLE, measured on the worker the product ships (`npm run sync -- --watch`, the compiled CLI):
 *
 * - Delivery latency: mailboxes watched by one worker, mail delivered through the SMTP stand-in at random moments;
 *   the time from the SMTP stand-in accepting a message (it is then in the mailbox) to its row being visible in
 *   Postgres (committed), per message. The worker polls once an hour, so only the watch brings mail in.
 * - Cost of watching: one worker watching many mailboxes, nothing arriving: its RSS and CPU share while idle.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { productEnv } from './environment';
import { createProductDatabase, type ProductDatabase } from './product-database';

export interface DeliveryResult {
  mailboxes: number;
  messages: number;
  spreadSeconds: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Messages whose row never appeared (should be 0), and rows stored more than once (should be 0). */
  missing: number;
  duplicates: number;
  watchStartMs: number;
  /** Watch-triggered syncs that did not succeed, by outcome and error code (why a message could be missing). */
  unsuccessfulSyncs: Record<string, number>;
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

const SENDER = 'bench-sender@contoso.test';
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
  await harness.control.addUser({ address: SENDER }).catch(() => undefined);
  await db.connect(addresses);
  const worker = startWorker(db);
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    const watchStartMs = await waitForWatches(sql, options.mailboxes, worker, log);
    const token = (await harness.control.issueTokens({ address: SENDER })).access_token;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: harness.smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 4,
      auth: { type: 'OAuth2', user: SENDER, accessToken: token },
    });
    const run = randomBytes(4).toString('hex');
    const delivered = new Map<string, number>();
    const seen = new Map<string, number>();
    let polling = true;
    let lastSend = Date.now();
    // Rows as they become visible: committed, whatever transaction wrote them.
    const poller = (async () => {
      while (polling || seen.size < delivered.size) {
        const rows = await sql<{ message_id: string }[]>`
          select message_id from messages where message_id like ${`<bench-${run}-%`}`;
        const now = Date.now();
        for (const row of rows) if (!seen.has(row.message_id)) seen.set(row.message_id, now);
        if (!polling && Date.now() > lastSend + 120_000) break;
        await sleep(50);
      }
    })();
    log(
      `delivering ${options.messages} messages to ${options.mailboxes} watched mailboxes over ${options.spreadSeconds} s`,
    );
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: options.messages }, async (_, i) => {
        await sleep(Math.random() * options.spreadSeconds * 1000);
        const messageId = `<bench-${run}-${i}@contoso.test>`;
        const to = addresses[Math.floor(Math.random() * addresses.length)] as string;
        await transport.sendMail({
          from: SENDER,
          to,
          subject: `Delivery ${i}`,
          text: `Message ${i} of the delivery latency bench.`,
          messageId,
        });
        const at = Date.now();
        delivered.set(messageId, at);
        lastSend = at;
      }),
    );
    transport.close();
    log(`delivered in ${((Date.now() - t0) / 1000).toFixed(1)} s; waiting for the last rows`);
    polling = false;
    await poller;
    const latencies = [...delivered].flatMap(([id, at]) => {
      const stored = seen.get(id);
      return stored === undefined ? [] : [Math.max(0, stored - at)];
    });
    latencies.sort((a, b) => a - b);
    const [dupes] = await sql<{ n: number }[]>`
      select count(*)::int as n from (select message_id from messages where message_id like ${`<bench-${run}-%`}
      group by account_id, message_id having count(*) > 1) d`;
    const unsuccessful = await sql<{ what: string; n: number }[]>`
      select outcome || ' ' || coalesce(error_code, '') as what, count(*)::int as n from sync_runs
      where trigger = 'watch' and outcome <> 'success' group by 1`;
    return {
      unsuccessfulSyncs: Object.fromEntries(unsuccessful.map((row) => [row.what.trim(), row.n])),
      mailboxes: options.mailboxes,
      messages: options.messages,
      spreadSeconds: options.spreadSeconds,
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      maxMs: latencies.at(-1) ?? Number.NaN,
      missing: delivered.size - latencies.length,
      duplicates: dupes?.n ?? 0,
      watchStartMs,
    };
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}
