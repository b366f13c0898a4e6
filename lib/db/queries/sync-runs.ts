import 'server-only';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { mailAccounts, syncRuns } from '@/lib/db/schema';
import { accountFinish, type AccountSyncUpdate } from '@/lib/db/queries/sync-leases';

export type SyncRun = typeof syncRuns.$inferSelect;
export type SyncRunOutcome = SyncRun['outcome'];

/**
 * Opens a run row. The caller holds the account's lease, so a run of the account still marked running belongs to a
 * process that died (killed, crashed, timed out) before recording its end: it is closed as interrupted rather
 * than shown running forever.
 */
export async function startSyncRun(db: Db, accountId: string, trigger: string): Promise<number> {
  // One statement: a data-modifying WITH runs to completion whether or not the insert reads it (PostgreSQL manual,
  // "Data-Modifying Statements in WITH"), and the new row is not among the rows it updates.
  const interrupted = db.$with('interrupted').as(
    db
      .update(syncRuns)
      .set({
        finishedAt: sql`now()`,
        outcome: 'failed',
        errorCode: 'sync.interrupted',
        errorMessage:
          'The sync stopped before it finished (its process ended); the next run continued from the last stored batch.',
      })
      .where(and(eq(syncRuns.accountId, accountId), eq(syncRuns.outcome, 'running')))
      .returning({ id: syncRuns.id }),
  );
  const [row] = await db
    .with(interrupted)
    .insert(syncRuns)
    .values({ accountId, trigger })
    .returning({ id: syncRuns.id });
  if (!row) throw new Error('sync_runs insert returned no row');
  return row.id;
}

export interface SyncRunResult {
  messages: number;
  bytes: number;
  outcome: Exclude<SyncRunOutcome, 'running'>;
  errorCode?: string;
  errorMessage?: string;
}

export async function finishSyncRun(db: Db, id: number, result: SyncRunResult): Promise<void> {
  await db.update(syncRuns).set(runFinish(result)).where(eq(syncRuns.id, id));
}

/**
 * `finishSyncRun` and `finishAccountSync` in one statement: one round trip instead of two for every mailbox of a
 * polled pass. The run row is closed whatever happens to the account row (a data-modifying WITH always runs to
 * completion); returns whether the account was updated, i.e. whether `owner` still held its lease.
 */
export async function finishAccountSyncAndRun(
  db: Db,
  account: { accountId: string; owner: string; update: AccountSyncUpdate },
  run: { id: number; result: SyncRunResult },
): Promise<boolean> {
  const finishedRun = db
    .$with('finished_run')
    .as(db.update(syncRuns).set(runFinish(run.result)).where(eq(syncRuns.id, run.id)).returning({ id: syncRuns.id }));
  const finish = accountFinish(account.accountId, account.owner, account.update);
  const rows = await db
    .with(finishedRun)
    .update(mailAccounts)
    .set(finish.set)
    .where(finish.where)
    .returning({ id: mailAccounts.id });
  return rows.length > 0;
}

function runFinish(result: SyncRunResult) {
  return {
    finishedAt: sql`now()`,
    messages: result.messages,
    bytes: result.bytes,
    outcome: result.outcome,
    errorCode: result.errorCode ?? null,
    errorMessage: result.errorMessage ?? null,
  };
}

/** Newest first, keyset-paged by id. */
export async function listSyncRuns(
  db: Db,
  accountId: string,
  options: { before?: number; limit?: number } = {},
): Promise<SyncRun[]> {
  const limit = Math.min(options.limit ?? 20, 200);
  return db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.accountId, accountId), options.before ? lt(syncRuns.id, options.before) : undefined))
    .orderBy(desc(syncRuns.id))
    .limit(limit);
}

export type SyncRunWithAccount = SyncRun & { address: string | null };

/** Every account's runs, newest first, keyset-paged by id. */
export async function listRecentSyncRuns(
  db: Db,
  options: { before?: number; limit?: number } = {},
): Promise<SyncRunWithAccount[]> {
  const limit = Math.min(options.limit ?? 50, 200);
  const rows = await db
    .select({ run: syncRuns, address: mailAccounts.emailAddress })
    .from(syncRuns)
    .leftJoin(mailAccounts, eq(mailAccounts.id, syncRuns.accountId))
    .where(options.before ? lt(syncRuns.id, options.before) : undefined)
    .orderBy(desc(syncRuns.id))
    .limit(limit);
  return rows.map((r) => ({ ...r.run, address: r.address }));
}
