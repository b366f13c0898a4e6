import 'server-only';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db/types';
import { mailFolderState, messages, unretrievableMessages } from '@/lib/db/schema';

export type FolderState = typeof mailFolderState.$inferSelect;

export interface FolderSnapshot {
  accountId: string;
  folder: string;
  uidValidity: number;
  uidNext: number | null;
  messagesOnServer: number;
  highestModseq: string | null;
}

/**
 * Records what SELECT reported and returns the watermark to resume from. A new UIDVALIDITY starts a new
 * generation: the watermark restarts at 0 in the same statement, so no reader ever sees the old watermark paired
 * with the new UIDVALIDITY. Rows of the old generation stay.
 */
export async function openFolderGeneration(
  db: Db | Tx,
  snapshot: FolderSnapshot,
): Promise<{ lastUid: number; newGeneration: boolean }> {
  // One round trip: a subquery in RETURNING reads the statement's snapshot, i.e. the row as it was before.
  const previousUidValidity = sql<
    string | null
  >`(select p.uidvalidity from ${mailFolderState} p where p.account_id = ${snapshot.accountId} and p.folder = ${snapshot.folder})`;
  const [row] = await db
    .insert(mailFolderState)
    .values({ ...snapshot, lastUid: 0 })
    .onConflictDoUpdate({
      target: [mailFolderState.accountId, mailFolderState.folder],
      set: {
        lastUid: sql`case when ${mailFolderState.uidValidity} = excluded.uidvalidity then ${mailFolderState.lastUid} else 0 end`,
        uidValidity: sql`excluded.uidvalidity`,
        uidNext: sql`excluded.uid_next`,
        messagesOnServer: sql`excluded.messages_on_server`,
        highestModseq: sql`excluded.highest_modseq`,
        updatedAt: sql`now()`,
      },
    })
    .returning({ lastUid: mailFolderState.lastUid, previousUidValidity });
  const previous = row?.previousUidValidity ?? null;
  return { lastUid: row?.lastUid ?? 0, newGeneration: previous !== null && Number(previous) !== snapshot.uidValidity };
}

/** Moves the watermark forward (never back) inside the batch's transaction. */
export async function advanceWatermark(
  tx: Tx,
  key: { accountId: string; folder: string; uidValidity: number },
  lastUid: number,
): Promise<boolean> {
  const rows = await tx
    .update(mailFolderState)
    .set({ lastUid: sql`greatest(${mailFolderState.lastUid}, ${lastUid})`, updatedAt: sql`now()` })
    .where(
      and(
        eq(mailFolderState.accountId, key.accountId),
        eq(mailFolderState.folder, key.folder),
        eq(mailFolderState.uidValidity, key.uidValidity),
      ),
    )
    .returning({ lastUid: mailFolderState.lastUid });
  return rows.length > 0;
}

/** True when this folder has rows from an earlier UIDVALIDITY, whose copies a new generation should link to. */
export async function hasEarlierGenerations(
  db: Db,
  accountId: string,
  folder: string,
  uidValidity: number,
): Promise<boolean> {
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), eq(messages.folder, folder), ne(messages.uidValidity, uidValidity)))
    .limit(1);
  return row !== undefined;
}

/**
 * The watermark when the folder is exactly as last recorded (same UIDVALIDITY, UIDNEXT and message count) and no
 * message waits to be retried; undefined otherwise. A pass over mailboxes with nothing new then reads one row per
 * folder instead of writing it again in a transaction of its own.
 */
export async function unchangedWatermark(
  db: Db,
  snapshot: Omit<FolderSnapshot, 'highestModseq'>,
): Promise<number | undefined> {
  const [row] = await db
    .select({ lastUid: mailFolderState.lastUid })
    .from(mailFolderState)
    .where(
      and(
        eq(mailFolderState.accountId, snapshot.accountId),
        eq(mailFolderState.folder, snapshot.folder),
        eq(mailFolderState.uidValidity, snapshot.uidValidity),
        snapshot.uidNext === null
          ? sql`${mailFolderState.uidNext} is null`
          : eq(mailFolderState.uidNext, snapshot.uidNext),
        eq(mailFolderState.messagesOnServer, snapshot.messagesOnServer),
        sql`not ${retryPending}`,
      ),
    );
  return row?.lastUid;
}

export type RecordedFolder = Pick<
  FolderState,
  'folder' | 'uidValidity' | 'uidNext' | 'messagesOnServer' | 'lastUid'
> & {
  /** Messages of this generation wait to be retried: the folder is not done, whatever its counters say. */
  retryPending: boolean;
};

/**
 * Every folder's recorded state with `unchangedWatermark`'s retry test, in one read: what the idle check compares
 * the server's STATUS with. Only the lease holder writes these rows, so a read before the STATUS still holds after.
 */
export async function recordedFolders(db: Db, accountId: string): Promise<RecordedFolder[]> {
  return db
    .select({
      folder: mailFolderState.folder,
      uidValidity: mailFolderState.uidValidity,
      uidNext: mailFolderState.uidNext,
      messagesOnServer: mailFolderState.messagesOnServer,
      lastUid: mailFolderState.lastUid,
      retryPending: sql<boolean>`${retryPending}`.mapWith(Boolean),
    })
    .from(mailFolderState)
    .where(eq(mailFolderState.accountId, accountId));
}

const retryPending = sql`exists (select 1 from ${unretrievableMessages} u where u.account_id = ${mailFolderState.accountId}
          and u.folder = ${mailFolderState.folder} and u.uidvalidity = ${mailFolderState.uidValidity})`;

/**
 * A Graph folder's row (uidvalidity 0: Graph has none) with its folder id; returns the link to resume from. A
 * different folder id (the folder was recreated under the same name) drops the link: it belonged to the old one.
 */
export async function openGraphFolder(
  db: Db | Tx,
  key: { accountId: string; folder: string; graphFolderId: string },
): Promise<{ deltaLink: string | null }> {
  const [row] = await db
    .insert(mailFolderState)
    .values({ ...key, uidValidity: 0, lastUid: 0 })
    .onConflictDoUpdate({
      target: [mailFolderState.accountId, mailFolderState.folder],
      set: {
        deltaLink: sql`case when ${mailFolderState.graphFolderId} = excluded.graph_folder_id then ${mailFolderState.deltaLink} end`,
        graphFolderId: sql`excluded.graph_folder_id`,
        updatedAt: sql`now()`,
      },
    })
    .returning({ deltaLink: mailFolderState.deltaLink });
  return { deltaLink: row?.deltaLink ?? null };
}

/** The Graph folder's watermark: a nextLink (a round cut short) or deltaLink, written with the page it follows. */
export async function saveDeltaLink(
  tx: Tx,
  key: { accountId: string; folder: string },
  link: string | null,
): Promise<boolean> {
  const rows = await tx
    .update(mailFolderState)
    .set({ deltaLink: link, updatedAt: sql`now()` })
    .where(and(eq(mailFolderState.accountId, key.accountId), eq(mailFolderState.folder, key.folder)))
    .returning({ folder: mailFolderState.folder });
  return rows.length > 0;
}
