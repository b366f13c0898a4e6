/**
 * A sync process for the bench: exactly what `npm run sync` runs (productSyncDeps + runSync: tokens from the
 * sealed msal caches, IMAP through the MICROSOFT_* endpoints), timed inside the process so that tsx start-up
 * and migrations do not count, and reported as one JSON line on stdout.
 *
 * With `--warm` it syncs once untimed (its code is then compiled and its connections open, as in a cron route
 * of a running server or an `npm run sync -- --watch` worker), prints `ready`, and waits for a line on stdin
 * before the timed run.
 */
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import { closeDatabase, getDb } from '@/lib/db';
import { runSync } from '@/lib/sync/run';

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const warm = args.includes('--warm');
  const accountIds = args.filter((arg) => arg !== '--warm');
  const db = await getDb();
  if (warm) {
    await runSync(productSyncDeps(db), { trigger: 'cli', accountIds: accountIds.length > 0 ? accountIds : undefined });
    process.stdout.write('ready\n');
    await new Promise((resolve) => process.stdin.once('data', resolve));
  }
  const startedAt = Date.now();
  const started = process.hrtime.bigint();
  const report = await runSync(productSyncDeps(db), {
    trigger: 'cli',
    accountIds: accountIds.length > 0 ? accountIds : undefined,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `${JSON.stringify({
      ms,
      // Wall-clock bounds, so that a pass run by several processes at once is timed from the first start to the last end.
      startedAt,
      endedAt: Date.now(),
      accounts: report.accounts.map((a) => ({
        id: a.accountId,
        outcome: a.outcome,
        fetched: a.fetched,
        bytes: a.bytes,
        durationMs: a.durationMs,
        error: a.error?.code,
      })),
    })}\n`,
  );
}

main()
  .then(() => closeDatabase())
  .then(() => process.exit(0))
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    await closeDatabase().catch(() => {});
    process.exit(1);
  });
