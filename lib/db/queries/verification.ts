import 'server-only';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { messages, messageSources } from '@/lib/db/schema';

/** The verification message, once synced; the token is random hex, so a LIKE on it is exact enough. */
export async function findMessageBySubjectToken(
  db: Db,
  accountId: string,
  token: string,
): Promise<{ id: number } | undefined> {
  if (!/^[0-9a-f]{8,32}$/.test(token)) return undefined;
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), like(messages.subject, `%${token}%`)))
    .limit(1);
  return row;
}

/**
 * Deletes this mailbox's stored mail-flow check messages: those with the check's subject whose original carries
 * the header the product set when sending them (a look-alike sent by someone else stays). Their sources and parts
 * go with them. Returns how many.
 */
export async function deleteMailFlowChecks(
  db: Db,
  accountId: string,
  check: { subjectPrefix: string; headerLine: string },
): Promise<number> {
  const marked = db
    .select({ id: messages.id })
    .from(messages)
    .innerJoin(messageSources, eq(messageSources.messageId, messages.id))
    .where(
      and(
        eq(messages.accountId, accountId),
        like(messages.subject, `${check.subjectPrefix.replace(/[%_\\]/g, '\\$&')}%`),
        sql`position(${Buffer.from(check.headerLine)}::bytea in ${messageSources.source}) > 0`,
      ),
    );
  const deleted = await db.delete(messages).where(inArray(messages.id, marked)).returning({ id: messages.id });
  return deleted.length;
}
