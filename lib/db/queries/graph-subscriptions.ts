import 'server-only';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { graphSubscriptions, mailAccounts } from '@/lib/db/schema';

export type GraphSubscriptionRow = typeof graphSubscriptions.$inferSelect;

export async function findSubscriptionOfAccount(db: Db, accountId: string): Promise<GraphSubscriptionRow | undefined> {
  const [row] = await db.select().from(graphSubscriptions).where(eq(graphSubscriptions.accountId, accountId));
  return row;
}

export async function findSubscriptionById(db: Db, subscriptionId: string): Promise<GraphSubscriptionRow | undefined> {
  const [row] = await db.select().from(graphSubscriptions).where(eq(graphSubscriptions.subscriptionId, subscriptionId));
  return row;
}

/** One subscription per mailbox: a new one replaces the row of the old. */
export async function saveSubscription(
  db: Db,
  row: Pick<
    GraphSubscriptionRow,
    'accountId' | 'subscriptionId' | 'clientStateHash' | 'resource' | 'notificationUrl' | 'expiresAt'
  >,
): Promise<void> {
  const fresh = { lastError: null, lastLifecycleEvent: null, lastLifecycleAt: null, renewedAt: null };
  await db
    .insert(graphSubscriptions)
    .values({ ...row, ...fresh })
    .onConflictDoUpdate({
      target: graphSubscriptions.accountId,
      set: { ...row, ...fresh, createdAt: sql`now()`, lastNotificationAt: null },
    });
}

export async function saveRenewal(db: Db, subscriptionId: string, expiresAt: Date): Promise<void> {
  await db
    .update(graphSubscriptions)
    .set({ expiresAt, renewedAt: sql`now()`, lastLifecycleEvent: null, lastError: null })
    .where(eq(graphSubscriptions.subscriptionId, subscriptionId));
}

export async function deleteSubscriptionOfAccount(db: Db, accountId: string): Promise<void> {
  await db.delete(graphSubscriptions).where(eq(graphSubscriptions.accountId, accountId));
}

export async function recordNotification(db: Db, subscriptionId: string): Promise<void> {
  await db
    .update(graphSubscriptions)
    .set({ lastNotificationAt: sql`now()` })
    .where(eq(graphSubscriptions.subscriptionId, subscriptionId));
}

/** The event stays until the mailbox's next sync acts on it (renewal or a new subscription clears it). */
export async function recordLifecycleEvent(db: Db, subscriptionId: string, event: string): Promise<void> {
  await db
    .update(graphSubscriptions)
    .set({ lastLifecycleEvent: event, lastLifecycleAt: sql`now()` })
    .where(eq(graphSubscriptions.subscriptionId, subscriptionId));
}

/** Due now (database clock), for an active mailbox only (false otherwise): one failing with backoff keeps its wait. */
export async function markAccountDueNow(db: Db, accountId: string): Promise<boolean> {
  const rows = await db
    .update(mailAccounts)
    .set({ nextAttemptAt: sql`now()` })
    .where(and(eq(mailAccounts.id, accountId), eq(mailAccounts.status, 'active')))
    .returning({ id: mailAccounts.id });
  return rows.length > 0;
}
