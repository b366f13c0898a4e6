import { asc, eq, sql } from 'drizzle-orm';
import { messages } from '@/lib/db/schema';
import type { Db } from '@/lib/db/types';

/** A stored message's UID, for tests of mail fetched over IMAP (where it is never null). */
export const imapUid = sql<number>`${messages.uid}`.mapWith(Number);

/** Rows per UID of an account, in UID order: "each message once" is UIDs 1..N with one row each. */
export function uidCounts(db: Db, accountId: string): Promise<{ uid: number; n: number }[]> {
  return db
    .select({ uid: imapUid, n: sql<number>`count(*)::int` })
    .from(messages)
    .where(eq(messages.accountId, accountId))
    .groupBy(messages.uid)
    .orderBy(asc(messages.uid));
}

export function eachOnce(counts: { uid: number; n: number }[]): boolean {
  return counts.every((c, i) => c.uid === i + 1 && c.n === 1);
}
