/**
 * `npm run sync`: one sync pass over every due mailbox (or `--account <id>`, repeatable, even if not due), or
 * `--watch <seconds>` to run a pass every so often and hold an IMAP IDLE on up to SYNC_WATCH_MAX inboxes, each
 * synced as soon as new mail arrives. Exits non-zero when an account failed (one pass) so a
 * crontab or CI notices. In embedded mode a running console owns the database: the pass is asked of it.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { flagsNpmSwallowed } from '@/lib/cli/npm-swallowed-flags';
import { countOf } from '@/lib/format/count';
import { askConsoleToSync } from '@/lib/channels/microsoft365/ask-console-to-sync';
import { keepSignInsAlive } from '@/lib/channels/microsoft365/keep-sign-ins-alive';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import { getEnv } from '@/lib/config/env';
import { closeDatabase, getDb, type Db } from '@/lib/db';
import { busySentence, currentEmbeddedHolder } from '@/lib/db/embedded-lock';
import { releaseLeasesOf } from '@/lib/db/queries/sync-leases';
import { releaseWatchesOf } from '@/lib/db/queries/mailbox-watches';
import { watchMailboxes } from '@/lib/channels/microsoft365/watch-mailboxes';
import { defaultLeaseOwner } from '@/lib/sync/lease';
import { runSync } from '@/lib/sync/run';
import type { AccountSyncReport, SyncProgress } from '@/lib/sync/types';

const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USAGE = 'Usage: npm run sync -- [--account <id>]... [--watch [<seconds>, default 60]] [--budget <seconds>]';

const OPTIONS = {
  account: { type: 'string', multiple: true },
  watch: { type: 'string' },
  budget: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

async function main(): Promise<number> {
  const swallowed = flagsNpmSwallowed(Object.keys(OPTIONS));
  if (swallowed.length > 0)
    throw new UsageError(`npm kept ${swallowed.join(' ')} for itself: put -- before the script's options.`);
  let values;
  try {
    ({ values } = parseArgs({ args: withWatchDefault(process.argv.slice(2)), options: OPTIONS }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const watchSeconds = values.watch === undefined ? undefined : positive(values.watch, '--watch');
  const budgetSeconds = values.budget === undefined ? undefined : positive(values.budget, '--budget');
  const invalid = values.account?.find((id) => !ACCOUNT_ID.test(id));
  if (invalid !== undefined)
    throw new Error(`--account needs a mailbox id (a UUID from its page in the console), got "${invalid}". ${USAGE}`);

  const env = getEnv();
  if (env.databaseKind === 'pglite') {
    const folder = path.resolve(env.DATA_DIR, 'pglite');
    const holder = await currentEmbeddedHolder(folder);
    if (holder) {
      if (!holder.consoleUrl || !env.CRON_SECRET) throw new Error(busySentence(folder, holder));
      if (watchSeconds !== undefined)
        throw new Error(
          `--watch is not needed: the console at ${holder.consoleUrl} owns the embedded database and syncs on its own schedule (SYNC_INTERVAL_MINUTES, now ${env.SYNC_INTERVAL_MINUTES}).`,
        );
      const answer = await askConsoleToSync(holder.consoleUrl, env.CRON_SECRET, values.account);
      console.log(`Asked the console at ${holder.consoleUrl} to sync (it owns the embedded database).`);
      for (const account of answer.accounts) console.log(describe(account));
      printSummary(answer);
      return answer.accounts.some((account) => account.outcome === 'failed') ? 1 : 0;
    }
  }
  const db = await getDb();
  const owner = defaultLeaseOwner();
  const shutdown = stopOnSignals(db, owner);
  const deps = productSyncDeps(db, {
    budgetMs: budgetSeconds === undefined ? undefined : budgetSeconds * 1000,
    onProgress: progressPrinter(),
    owner,
    signal: shutdown,
  });
  const options = { trigger: 'cli' as const, accountIds: values.account };
  // Mailboxes that do not sync (disabled, stopped after errors) keep their sign-in through scheduled passes.
  const renewIdleSignIns = async () => {
    if (values.account || shutdown.aborted) return;
    const renewal = await keepSignInsAlive(db, { owner }).catch((error: unknown) => {
      console.error(`Renewing idle sign-ins failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    if (renewal && renewal.renewed + renewal.dead + renewal.failed > 0)
      console.log(
        `Idle sign-ins: ${renewal.renewed} renewed, ${renewal.dead} need re-authentication, ${renewal.failed} to retry.`,
      );
  };

  if (watchSeconds === undefined) {
    const report = await runSync(deps, options);
    printSummary(report);
    await renewIdleSignIns();
    return report.accounts.some((account) => account.outcome === 'failed') ? 1 : 0;
  }
  const watch = values.account
    ? undefined
    : watchMailboxes(db, {
        owner,
        onProgress: deps.onProgress,
        signal: shutdown,
        // Its own summary line, so every account line belongs to one summary (the soak test adds them up).
        onSynced: (report) => printSummary({ accounts: [report], durationMs: report.durationMs }, 'new mail synced'),
      });
  let watching = 0;
  while (!shutdown.aborted) {
    printSummary(await runSync(deps, options));
    await renewIdleSignIns();
    for (let waited = 0; waited < watchSeconds * 10 && !shutdown.aborted; waited += 1) {
      if (watch && watch.watching().length !== watching) {
        watching = watch.watching().length;
        console.log(
          `Watching ${countOf(watching, 'inbox', 'inboxes')} with IMAP IDLE: new mail is synced within seconds.`,
        );
      }
      await sleep(100);
    }
  }
  await watch?.stop();
  return 0;
}

// Docker and Kubernetes send SIGKILL 10 s after SIGTERM (docker stop's default -t, terminationGracePeriodSeconds):
// what has not finished by this point is cut short on our terms instead.
const SHUTDOWN_GRACE_MS = 8_000;

/**
 * SIGTERM or SIGINT: the pass in progress stops leasing accounts and starting batches; the batches in flight
 * commit (or roll back), each account records its run and frees its lease, then main() returns and the pool is
 * closed. Should that take too long (a slow download of the batch in flight), whatever leases this worker still
 * holds are freed and the process exits, so no mailbox waits for a lease to expire.
 */
function stopOnSignals(db: Db, owner: string): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    console.log(`${signal}: finishing the batches in flight, then stopping.`);
    controller.abort();
    setTimeout(() => {
      console.error(
        `Still busy ${SHUTDOWN_GRACE_MS / 1000} s after ${signal}: freeing this worker's leases and exiting.`,
      );
      void Promise.all([releaseLeasesOf(db, owner).catch(() => 0), releaseWatchesOf(db, owner).catch(() => 0)]).finally(
        () => process.exit(1),
      );
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  return controller.signal;
}

/** `--watch` alone means every 60 seconds (what the container's worker runs). */
function withWatchDefault(args: string[]): string[] {
  return args.flatMap((arg, i) => (arg === '--watch' && (args[i + 1] ?? '--').startsWith('--') ? [arg, '60'] : [arg]));
}

function progressPrinter(): (event: SyncProgress) => void {
  const tty = process.stdout.isTTY;
  return (event) => {
    if (event.type === 'batch-stored' && tty) {
      const line = `${event.address}: ${event.fetched} of ~${event.pending} in ${event.folder}, ${megabytes(event.bytes)}`;
      process.stdout.write(`\r\x1b[K${line}`);
    } else if (event.type === 'account-finished') {
      if (tty) process.stdout.write('\r\x1b[K');
      console.log(describe(event.report));
    }
  };
}

type AccountLine = Pick<AccountSyncReport, 'address' | 'outcome' | 'fetched' | 'bytes' | 'durationMs' | 'error'>;

function describe(report: AccountLine): string {
  const seconds = (report.durationMs / 1000).toFixed(1);
  const base = `${report.address}: ${report.outcome}, ${countOf(report.fetched, 'new message')}, ${megabytes(report.bytes)} in ${seconds} s`;
  return report.error ? `${base} — ${report.error.code}: ${report.error.message}` : base;
}

function printSummary(report: { accounts: AccountLine[]; durationMs: number }, label = 'pass done'): void {
  const failed = report.accounts.filter((account) => account.outcome === 'failed').length;
  const fetched = report.accounts.reduce((sum, account) => sum + account.fetched, 0);
  console.log(
    `${new Date().toISOString()} ${label}: ${countOf(report.accounts.length, 'account')}, ${countOf(fetched, 'new message')}, ${failed} failed, ${(report.durationMs / 1000).toFixed(1)} s`,
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function positive(value: string, name: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`${name} needs a positive number of seconds. ${USAGE}`);
  return number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main()
  .then(async (code) => {
    await closeDatabase();
    console.log('Database connections closed.');
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    if (error instanceof UsageError) console.error(USAGE);
    await closeDatabase().catch(() => {});
    process.exit(1);
  });
