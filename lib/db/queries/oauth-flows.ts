import 'server-only';
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { oauthFlows, type OAuthFlowOutcome } from '@/lib/db/schema';

export type OAuthFlow = typeof oauthFlows.$inferSelect;
export type NewOAuthFlow = typeof oauthFlows.$inferInsert;

export async function insertOAuthFlow(db: Db, flow: NewOAuthFlow): Promise<OAuthFlow> {
  const [row] = await db.insert(oauthFlows).values(flow).returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function findOAuthFlowByState(db: Db, state: string): Promise<OAuthFlow | undefined> {
  const [row] = await db.select().from(oauthFlows).where(eq(oauthFlows.state, state));
  return row;
}

export async function findOAuthFlow(db: Db, id: string): Promise<OAuthFlow | undefined> {
  const [row] = await db.select().from(oauthFlows).where(eq(oauthFlows.id, id));
  return row;
}

/**
 * Marks the flow used if, and only if, it is still unused, unexpired and this admin's: one atomic update, so a
 * replayed or raced callback can never redeem the same state twice.
 */
export async function claimOAuthFlow(
  db: Db,
  state: string,
  adminId: string,
  now = new Date(),
): Promise<OAuthFlow | undefined> {
  const [row] = await db
    .update(oauthFlows)
    .set({ usedAt: now })
    .where(
      and(
        eq(oauthFlows.state, state),
        eq(oauthFlows.adminId, adminId),
        isNull(oauthFlows.usedAt),
        gt(oauthFlows.expiresAt, now),
      ),
    )
    .returning();
  return row;
}

export async function recordOAuthFlowOutcome(db: Db, id: string, outcome: OAuthFlowOutcome): Promise<void> {
  await db.update(oauthFlows).set({ outcome }).where(eq(oauthFlows.id, id));
}

/** Flows are kept a day for their result page, then removed. */
export async function deleteOAuthFlowsExpiredBefore(db: Db, before: Date): Promise<void> {
  await db.delete(oauthFlows).where(lt(oauthFlows.expiresAt, before));
}
