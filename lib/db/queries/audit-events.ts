import 'server-only';
import { desc, eq, getTableColumns, lt } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { admins, auditEvents, mailAccounts } from '@/lib/db/schema';

/** An event with the names it is told with: the admin's name and the mailbox's address, when they still exist. */
export type AuditEvent = typeof auditEvents.$inferSelect & { adminName: string | null; mailbox: string | null };
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
    .select({ ...getTableColumns(auditEvents), adminName: admins.name, mailbox: mailAccounts.emailAddress })
    .from(auditEvents)
    .leftJoin(admins, eq(admins.id, auditEvents.adminId))
    .leftJoin(mailAccounts, eq(mailAccounts.id, auditEvents.accountId))
    .where(options.before ? lt(auditEvents.id, options.before) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(limit);
}
