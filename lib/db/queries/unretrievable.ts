import 'server-only';
import { and, asc, count, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db/types';
import { unretrievableMessages } from '@/lib/db/schema';

export type UnretrievableReason = 'no_data' | 'placeholder';
export type UnretrievableMessage = typeof unretrievableMessages.$inferSelect;

interface FolderKey {
  accountId: string;
  folder: string;
  uidValidity: number;
}

/** Records (or re-records: one more attempt) messages the server lists but did not serve. */
export async function recordUnretrievable(
  db: Db | Tx,
  key: FolderKey,
  items: { uid: number; reason: UnretrievableReason }[],
): Promise<void> {
  if (items.length === 0) return;
  await db
    .insert(unretrievableMessages)
    .values(items.map((item) => ({ ...key, uid: item.uid, reason: item.reason })))
    .onConflictDoUpdate({
      target: [
        unretrievableMessages.accountId,
        unretrievableMessages.folder,
        unretrievableMessages.uidValidity,
        unretrievableMessages.uid,
      ],
      set: {
        reason: sql`excluded.reason`,
        attempts: sql`${unretrievableMessages.attempts} + 1`,
        lastTriedAt: sql`now()`,
      },
    });
}

/** Stored at last, or expunged on the server: no longer outstanding. */
export async function forgetUnretrievable(db: Db | Tx, key: FolderKey, uids: number[]): Promise<void> {
  if (uids.length === 0) return;
  await db.delete(unretrievableMessages).where(and(...folderIs(key), inArray(unretrievableMessages.uid, uids)));
}

/** After a UIDVALIDITY change the old UIDs name nothing: the messages are listed again under new ones. */
export async function forgetOtherGenerations(db: Db | Tx, key: FolderKey): Promise<void> {
  await db
    .delete(unretrievableMessages)
    .where(
      and(
        eq(unretrievableMessages.accountId, key.accountId),
        eq(unretrievableMessages.folder, key.folder),
        ne(unretrievableMessages.uidValidity, key.uidValidity),
      ),
    );
}

/** The UIDs of this folder generation to try again, ascending. */
export async function unretrievableUids(db: Db, key: FolderKey): Promise<number[]> {
  const rows = await db
    .select({ uid: unretrievableMessages.uid })
    .from(unretrievableMessages)
    .where(and(...folderIs(key)))
    .orderBy(asc(unretrievableMessages.uid));
  return rows.map((row) => row.uid);
}

/** What the account page lists: oldest first, at most `limit`, and how many there are in all. */
export async function listUnretrievable(
  db: Db,
  accountId: string,
  limit = 50,
): Promise<{ total: number; items: UnretrievableMessage[] }> {
  const where = eq(unretrievableMessages.accountId, accountId);
  const [items, [total]] = await Promise.all([
    db
      .select()
      .from(unretrievableMessages)
      .where(where)
      .orderBy(
        asc(unretrievableMessages.firstSeenAt),
        asc(unretrievableMessages.folder),
        asc(unretrievableMessages.uid),
      )
      .limit(limit),
    db.select({ n: count() }).from(unretrievableMessages).where(where),
  ]);
  return { total: Number(total?.n ?? 0), items };
}

function folderIs(key: FolderKey) {
  return [
    eq(unretrievableMessages.accountId, key.accountId),
    eq(unretrievableMessages.folder, key.folder),
    eq(unretrievableMessages.uidValidity, key.uidValidity),
  ];
}
