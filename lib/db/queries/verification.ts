import 'server-only';
import { and, eq, like } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { messages } from '@/lib/db/schema';

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
