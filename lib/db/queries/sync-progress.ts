import 'server-only';
import { and, count, eq, sum } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { mailFolderState, messages, syncRuns } from '@/lib/db/schema';

export interface SyncProgressView {
  running: boolean;
  stored: number;
  /** What the mailbox's synced folders held at their last SELECT: the "~m" of "n of ~m". */
  onServer: number | null;
}

/** Read from the database, so progress shows whichever process (cron, CLI, button) is doing the sync. */
export async function readSyncProgress(db: Db, accountId: string): Promise<SyncProgressView> {
  const [[running], [stored], [server]] = await Promise.all([
    db
      .select({ n: count() })
      .from(syncRuns)
      .where(and(eq(syncRuns.accountId, accountId), eq(syncRuns.outcome, 'running'))),
    db.select({ n: count() }).from(messages).where(eq(messages.accountId, accountId)),
    db
      .select({ n: sum(mailFolderState.messagesOnServer) })
      .from(mailFolderState)
      .where(eq(mailFolderState.accountId, accountId)),
  ]);
  return {
    running: (running?.n ?? 0) > 0,
    stored: stored?.n ?? 0,
    onServer: server?.n === null || server?.n === undefined ? null : Number(server.n),
  };
}
