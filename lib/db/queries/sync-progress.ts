import 'server-only';
import { and, count, eq, gte, sql, sum } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { mailFolderState, messages, syncRuns } from '@/lib/db/schema';

/** Runs started since a moment (a button press): how many still run, and what the finished ones did. */
export interface RunsSince {
  running: number;
  finished: number;
  failed: number;
  /** New messages the finished runs stored. */
  newMessages: number;
  /** The newest failed run's message, for "Sync failed: …". */
  lastError: string | null;
}

export interface SyncProgressView {
  running: boolean;
  stored: number;
  /** What the mailbox's synced folders held at their last SELECT: the "~m" of "n of ~m". */
  onServer: number | null;
  /** With `since`: the runs of this mailbox started since then. */
  since?: RunsSince;
}

/** Read from the database, so progress shows whichever process (cron, CLI, button) is doing the sync. */
export async function readSyncProgress(db: Db, accountId: string, since?: Date): Promise<SyncProgressView> {
  const [[running], [stored], [server], runs] = await Promise.all([
    db
      .select({ n: count() })
      .from(syncRuns)
      .where(and(eq(syncRuns.accountId, accountId), eq(syncRuns.outcome, 'running'))),
    db.select({ n: count() }).from(messages).where(eq(messages.accountId, accountId)),
    db
      .select({ n: sum(mailFolderState.messagesOnServer) })
      .from(mailFolderState)
      .where(eq(mailFolderState.accountId, accountId)),
    since ? readRunsSince(db, since, accountId) : undefined,
  ]);
  return {
    running: (running?.n ?? 0) > 0,
    stored: stored?.n ?? 0,
    onServer: server?.n === null || server?.n === undefined ? null : Number(server.n),
    ...(runs ? { since: runs } : {}),
  };
}

/** Every mailbox's runs since `since` (one mailbox's with `accountId`). */
export async function readRunsSince(db: Db, since: Date, accountId?: string): Promise<RunsSince> {
  const scope = and(gte(syncRuns.startedAt, since), accountId ? eq(syncRuns.accountId, accountId) : undefined);
  const [[totals], [lastFailure]] = await Promise.all([
    db
      .select({
        running: sql<number>`count(*) filter (where ${syncRuns.outcome} = 'running')::int`,
        finished: sql<number>`count(*) filter (where ${syncRuns.outcome} <> 'running')::int`,
        failed: sql<number>`count(*) filter (where ${syncRuns.outcome} = 'failed')::int`,
        newMessages: sql<number>`coalesce(sum(${syncRuns.messages}) filter (where ${syncRuns.outcome} <> 'running'), 0)::int`,
      })
      .from(syncRuns)
      .where(scope),
    db
      .select({ message: syncRuns.errorMessage })
      .from(syncRuns)
      .where(and(scope, eq(syncRuns.outcome, 'failed')))
      .orderBy(sql`${syncRuns.id} desc`)
      .limit(1),
  ]);
  return {
    running: totals?.running ?? 0,
    finished: totals?.finished ?? 0,
    failed: totals?.failed ?? 0,
    newMessages: totals?.newMessages ?? 0,
    lastError: lastFailure?.message ?? null,
  };
}
