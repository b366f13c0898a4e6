import 'server-only';
import { and, desc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { adminSessions } from '@/lib/db/schema';

export type AdminSession = typeof adminSessions.$inferSelect;

export async function openAdminSession(
  db: Db,
  input: { adminId: string; now: Date; expiresAt: Date; userAgent: string | null; clientAddress: string | null },
): Promise<AdminSession> {
  const [row] = await db
    .insert(adminSessions)
    .values({
      adminId: input.adminId,
      createdAt: input.now,
      lastSeenAt: input.now,
      expiresAt: input.expiresAt,
      userAgent: input.userAgent,
      clientAddress: input.clientAddress,
    })
    .returning();
  if (!row) throw new Error('the session was not stored');
  return row;
}

/**
 * Marks the session seen and returns it, in one statement, only while it is live: not revoked, before its
 * absolute end, and seen within the idle timeout. Being seen never moves the absolute end.
 */
export async function touchAdminSession(
  db: Db,
  input: { id: string; adminId: string; now: Date; idleSince: Date },
): Promise<AdminSession | undefined> {
  const minuteBefore = new Date(input.now.getTime() - 60_000);
  const [row] = await db
    .update(adminSessions)
    // Written at most once a minute: a page's burst of requests does not rewrite the row each time.
    .set({
      lastSeenAt: sql`case when ${adminSessions.lastSeenAt} < ${minuteBefore.toISOString()}::timestamptz
        then ${input.now.toISOString()}::timestamptz else ${adminSessions.lastSeenAt} end`,
    })
    .where(
      and(
        eq(adminSessions.id, input.id),
        eq(adminSessions.adminId, input.adminId),
        isNull(adminSessions.revokedAt),
        gt(adminSessions.expiresAt, input.now),
        gt(adminSessions.lastSeenAt, input.idleSince),
      ),
    )
    .returning();
  return row;
}

export async function revokeAdminSession(db: Db, id: string, adminId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(adminSessions)
    .set({ revokedAt: now })
    .where(and(eq(adminSessions.id, id), eq(adminSessions.adminId, adminId), isNull(adminSessions.revokedAt)))
    .returning({ id: adminSessions.id });
  return rows.length > 0;
}

/** Ends every session of an admin, or every one but `except` (the browser that asked). */
export async function revokeAdminSessions(db: Db, adminId: string, now: Date, except?: string): Promise<number> {
  const rows = await db
    .update(adminSessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(adminSessions.adminId, adminId),
        isNull(adminSessions.revokedAt),
        except ? ne(adminSessions.id, except) : undefined,
      ),
    )
    .returning({ id: adminSessions.id });
  return rows.length;
}

/** Live sessions, most recently seen first. */
export async function listLiveAdminSessions(db: Db, now: Date, idleSince: Date): Promise<AdminSession[]> {
  return db
    .select()
    .from(adminSessions)
    .where(
      and(isNull(adminSessions.revokedAt), gt(adminSessions.expiresAt, now), gt(adminSessions.lastSeenAt, idleSince)),
    )
    .orderBy(desc(adminSessions.lastSeenAt));
}

/** Ended sessions are kept a day (for the record of a revocation), then dropped. */
export async function forgetEndedAdminSessions(db: Db, before: Date, idleSince: Date): Promise<void> {
  await db
    .delete(adminSessions)
    .where(
      or(
        lt(adminSessions.revokedAt, before),
        lt(adminSessions.expiresAt, before),
        lt(adminSessions.lastSeenAt, new Date(idleSince.getTime() - 24 * 3600 * 1000)),
      ),
    );
}
