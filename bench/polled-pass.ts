/**
 * A polled pass at scale: many connected mailboxes with nothing new, one sync process (a cron pass over every due
 * mailbox). Each mailbox costs a lease, a token from its sealed msal cache, an IMAP login and one STATUS. Timed
 * through the Exchange personality and, to tell the stand-in's cost from the product's, against Dovecot directly.
 */
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { productEnv } from './environment';
import { runSyncChild } from './processes';
import { createProductDatabase } from './product-database';

export interface PolledPassRun {
  /** 'exchange': through the Exchange personality; 'dovecot': straight to Dovecot (no stand-in proxy). */
  server: 'exchange' | 'dovecot';
  /** The checkout the sync ran from: this one, or a baseline given with `--baseline <dir>`. */
  code: 'this' | 'baseline';
  /** CPU seconds of the sync process (user + system), start-up included. */
  cpuSeconds?: number;
  concurrency: number;
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
      for (const concurrency of concurrencies)
        for (const code of codes) {
          await makeAllDue(db.url);
          const env = productEnv(db.url, {
            SYNC_CONCURRENCY: String(concurrency),
            ...(server === 'dovecot' ? { MICROSOFT_IMAP_PORT: String(harness.dovecot.port) } : {}),
          });
          const report = await runSyncChild(env, [], true, code === 'baseline' ? baselineDir : undefined);
          const run: PolledPassRun = {
            server,
            code,
            concurrency,
            ms: report.ms,
            mailboxesPerSecond: report.accounts.length / (report.ms / 1000),
            accountsSynced: report.accounts.length,
            cpuSeconds: report.cpuSeconds,
          };
          runs.push(run);
          log(
            `polled pass (${code === 'baseline' ? 'baseline code, ' : ''}${server}, concurrency ${concurrency}): ${run.accountsSynced} mailboxes in ${report.ms.toFixed(0)} ms, ${run.mailboxesPerSecond.toFixed(0)}/s, ${report.cpuSeconds ?? '?'} CPU-s`,
          );
        }
    return { mailboxes, connectMs, runs };
  } finally {
    await db.drop();
  }
}

async function makeAllDue(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`update mail_accounts set next_attempt_at = now() - interval '1 second'`;
  } finally {
    await sql.end();
  }
}
