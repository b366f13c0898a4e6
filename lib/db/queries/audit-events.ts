import 'server-only';
import { desc, lt } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { auditEvents } from '@/lib/db/schema';

export type AuditEvent = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;

export async function recordAuditEvent(db: Db, event: NewAuditEvent): Promise<void> {
  await db.insert(auditEvents).values(event);
}

/** Newest first, keyset-paged by id so a page stays stable while new events arrive. */
export async function listAuditEvents(
  db: Db,
  options: { before?: number; limit?: number } = {},
): Promise<AuditEvent[]> {
  const limit = Math.min(options.limit ?? 50, 200);
  return db
    .select()
    .from(auditEvents)
    .where(options.before ? lt(auditEvents.id, options.before) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}
