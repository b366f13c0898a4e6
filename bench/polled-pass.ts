/**
 * A polled pass at scale: many connected mailboxes with nothing new, one sync process or several at once (a cron pass
 * over every due mailbox, `--processes N`). Each mailbox costs a lease, a token from its sealed msal cache, an IMAP login and one STATUS. Timed
 * through the Exchange personality and, to tell the stand-in's cost from the product's, against Dovecot directly.
 */
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { productEnv } from './environment';
import { runSyncChild, type SyncChildReport } from './processes';
import { createProductDatabase } from './product-database';

export interface PolledPassRun {
  /** 'exchange': through the Exchange personality; 'dovecot': straight to Dovecot (no stand-in proxy). */
  server: 'exchange' | 'dovecot';
  /** The checkout the sync ran from: this one, or a baseline given with `--baseline <dir>`. */
  code: 'this' | 'baseline';
  /** CPU seconds of the sync process (user + system), start-up included. */
  cpuSeconds?: number;
  concurrency: number;
  /** Sync processes running the pass at once, sharing the due mailboxes through the lease. */
  processes: number;
  ms: number;
  mailboxesPerSecond: number;
  accountsSynced: number;
}

export interface PolledPassResult {
  mailboxes: number;
  connectMs: number;
  runs: PolledPassRun[];
}

export async function benchPolledPass(
  harness: Harness,
  mailboxes: number,
  concurrencies: number[],
  log: (line: string) => void,
  baselineDir?: string,
  processCounts: number[] = [1],
): Promise<PolledPassResult> {
  const db = await createProductDatabase(harness);
  try {
    const addresses = Array.from({ length: mailboxes }, (_, i) => `poll${String(i).padStart(5, '0')}@contoso.test`);
    const t0 = Date.now();
    await db.connect(addresses);
    const connectMs = Date.now() - t0;
    log(`polled pass: connected ${mailboxes} empty mailboxes in ${connectMs} ms`);
    // Each folder's state exists after a first pass; every later pass is the one measured.
    await runSyncChild(productEnv(db.url, { SYNC_CONCURRENCY: '16' }), [], false);
    const runs: PolledPassRun[] = [];
    const servers: PolledPassRun['server'][] = harness.exchange ? ['exchange', 'dovecot'] : ['dovecot'];
    const codes: PolledPassRun['code'][] = baselineDir ? ['baseline', 'this'] : ['this'];
    for (const server of servers)
      for (const processes of processCounts)
        for (const concurrency of concurrencies)
          for (const code of codes) {
            await makeAllDue(db.url);
            const env = productEnv(db.url, {
              SYNC_CONCURRENCY: String(concurrency),
              ...(server === 'dovecot' ? { MICROSOFT_IMAP_PORT: String(harness.dovecot.port) } : {}),
            });
            const reports = await Promise.all(
              Array.from({ length: processes }, () =>
                runSyncChild(env, [], true, code === 'baseline' ? baselineDir : undefined),
              ),
            );
            const ms = passMs(reports);
            const accountsSynced = reports.reduce((sum, report) => sum + report.accounts.length, 0);
            const cpu = reports.map((report) => report.cpuSeconds);
            const run: PolledPassRun = {
              server,
              code,
              concurrency,
              processes,
              ms,
              mailboxesPerSecond: accountsSynced / (ms / 1000),
              accountsSynced,
              cpuSeconds: cpu.every((c) => c !== undefined) ? cpu.reduce((sum, c) => sum + (c ?? 0), 0) : undefined,
            };
            runs.push(run);
            log(
              `polled pass (${code === 'baseline' ? 'baseline code, ' : ''}${server}, ${processes} process(es), concurrency ${concurrency}): ${run.accountsSynced} mailboxes in ${ms.toFixed(0)} ms, ${run.mailboxesPerSecond.toFixed(0)}/s, ${run.cpuSeconds?.toFixed(2) ?? '?'} CPU-s`,
            );
          }
    return { mailboxes, connectMs, runs };
  } finally {
    await db.drop();
  }
}

/**
 * The pass from the first process's start of work to the last one's end (start-up excluded, as for one process);
 * a baseline checkout whose sync child does not print its bounds gets the longest process's own time.
 */
function passMs(reports: SyncChildReport[]): number {
  const starts = reports.map((report) => report.startedAt);
  const ends = reports.map((report) => report.endedAt);
  if (reports.length === 1 || starts.some((t) => t === undefined) || ends.some((t) => t === undefined))
    return Math.max(...reports.map((report) => report.ms));
  return Math.max(...(ends as number[])) - Math.min(...(starts as number[]));
}

async function makeAllDue(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`update mail_accounts set next_attempt_at = now() - interval '1 second'`;
  } finally {
    await sql.end();
  }
}
