import 'server-only';
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db/types';
import { canCopy, copyRows, type CopyType } from '@/lib/db/queries/binary-copy';
import { attachments, messages, messageSources } from '@/lib/db/schema';

export type NewMessage = Omit<typeof messages.$inferInsert, 'id' | 'fetchedAt'>;
export type NewAttachment = Omit<typeof attachments.$inferInsert, 'id' | 'messageId' | 'content'>;

export interface MessageToStore {
  message: NewMessage;
  /** Null when the body was not downloaded (over the size limit) or an earlier generation already has it. */
  source: { bytes: Buffer; sha256: string } | null;
  attachments: NewAttachment[];
}

/** A message's key within its account: its UID for mail fetched over IMAP, its Graph id for mail fetched through Graph. */
export function messageKey(message: { uid?: number | null; graphId?: string | null }): number | string {
  const key = message.graphId ?? message.uid;
  if (key === null || key === undefined) throw new Error('A message to store needs a UID or a Graph id');
  return key;
}

const SOURCE_COLUMNS = [
  { name: 'message_id', type: 'int8' },
  { name: 'source', type: 'bytea' },
  { name: 'sha256', type: 'text' },
] satisfies { name: string; type: CopyType }[];
const ATTACHMENT_COLUMNS = [
  { name: 'message_id', type: 'int8' },
  { name: 'filename', type: 'text' },
  { name: 'original_filename', type: 'text' },
  { name: 'content_type', type: 'text' },
  { name: 'size', type: 'int4' },
  { name: 'content_id', type: 'text' },
  { name: 'inline', type: 'bool' },
  { name: 'checksum', type: 'text' },
] satisfies { name: string; type: CopyType }[];

// Without COPY (PGlite): Postgres allows 65,535 parameters per statement; attachments have 8 columns.
const ATTACHMENT_ROWS_PER_INSERT = 2_000;
// Keeps one INSERT of sources to a few tens of MB of parameters (postgres.js sends bytea as hex text).
const SOURCE_BYTES_PER_INSERT = 24 * 1024 * 1024;

/**
 * Inserts one batch with a few statements: one multi-row INSERT of messages, then sources and attachments by
 * binary COPY (postgres.js) or multi-row INSERTs (PGlite). Attachment rows carry no bytes: the source is the one copy.
 * A (account, folder, uidvalidity, uid) or (account, Graph id) that is already stored is left alone (ON CONFLICT
 * DO NOTHING), with its source and attachments: a batch can be replayed safely.
 * Returns the ids of the rows this call created, keyed by `messageKey`.
 */
export async function insertMessageBatch(tx: Tx, batch: MessageToStore[]): Promise<Map<number | string, number>> {
  const created = new Map<number | string, number>();
  if (batch.length === 0) return created;
  const rows = await tx
    .insert(messages)
    .values(batch.map((item) => item.message))
    .onConflictDoNothing()
    .returning({ id: messages.id, uid: messages.uid, graphId: messages.graphId });
  for (const row of rows) created.set(messageKey(row), row.id);

  const sources: (typeof messageSources.$inferInsert)[] = [];
  const files: (typeof attachments.$inferInsert)[] = [];
  for (const item of batch) {
    const id = created.get(messageKey(item.message));
    if (id === undefined) continue;
    if (item.source) sources.push({ messageId: id, source: item.source.bytes, sha256: item.source.sha256 });
    for (const attachment of item.attachments) files.push({ ...attachment, messageId: id });
  }
  if (canCopy(tx)) {
    await copyRows(
      tx,
      'message_sources',
      SOURCE_COLUMNS,
      sources.map((s) => [s.messageId, s.source, s.sha256]),
    );
    await copyRows(
      tx,
      'attachments',
      ATTACHMENT_COLUMNS,
      files.map((f) => [
        f.messageId,
        f.filename ?? null,
        f.originalFilename ?? null,
        f.contentType,
        f.size,
        f.contentId ?? null,
        f.inline ?? false,
        f.checksum,
      ]),
    );
  } else {
    for (const group of bySize(sources, (s) => s.source.length, SOURCE_BYTES_PER_INSERT))
      await tx.insert(messageSources).values(group);
    for (const group of bySize(files, () => 1, ATTACHMENT_ROWS_PER_INSERT)) await tx.insert(attachments).values(group);
  }
  return created;
}

export interface EarlierCopy {
  id: number;
  messageId: string;
  size: number;
  date: Date | null;
}

/**
 * Stored originals (not themselves copies) of these Message-IDs in other generations of the folder: after a
 * UIDVALIDITY change the server lists the same mail under new UIDs.
 */
export async function findEarlierCopies(
  db: Db,
  key: { accountId: string; folder: string; uidValidity: number },
  messageIds: string[],
): Promise<EarlierCopy[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .select({ id: messages.id, messageId: messages.messageId, size: messages.size, date: messages.date })
    .from(messages)
    .where(
      and(
        eq(messages.accountId, key.accountId),
        eq(messages.folder, key.folder),
        ne(messages.uidValidity, key.uidValidity),
        isNull(messages.duplicateOf),
        inArray(messages.messageId, messageIds),
      ),
    );
  return rows.flatMap((row) => (row.messageId === null ? [] : [{ ...row, messageId: row.messageId }]));
}

/** Of these UIDs, the ones stored with their full source (or linked to a stored original) in this generation. */
export async function storedUids(
  db: Db,
  key: { accountId: string; folder: string; uidValidity: number },
  uids: number[],
): Promise<number[]> {
  if (uids.length === 0) return [];
  const rows = await db
    .select({ uid: messages.uid })
    .from(messages)
    .where(
      and(
        eq(messages.accountId, key.accountId),
        eq(messages.folder, key.folder),
        eq(messages.uidValidity, key.uidValidity),
        isNull(messages.skippedReason),
        inArray(messages.uid, uids),
      ),
    );
  return rows.flatMap((row) => (row.uid === null ? [] : [row.uid])).sort((a, b) => a - b);
}

/** Of these Message-IDs, the ones the folder already holds (stored over IMAP, or under an earlier Graph id). */
export async function storedMessageIds(
  db: Db,
  key: { accountId: string; folder: string },
  messageIds: string[],
): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ messageId: messages.messageId })
    .from(messages)
    .where(
      and(
        eq(messages.accountId, key.accountId),
        eq(messages.folder, key.folder),
        inArray(messages.messageId, messageIds),
      ),
    );
  return new Set(rows.flatMap((row) => (row.messageId === null ? [] : [row.messageId])));
}

/** Of these Graph ids, the ones the account holds with their full source (headers-only rows do not hold the mail). */
export async function storedGraphIds(db: Db, accountId: string, graphIds: string[]): Promise<Set<string>> {
  if (graphIds.length === 0) return new Set();
  const rows = await db
    .select({ graphId: messages.graphId })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), isNull(messages.skippedReason), inArray(messages.graphId, graphIds)));
  return new Set(rows.flatMap((row) => (row.graphId === null ? [] : [row.graphId])));
}

function* bySize<T>(items: T[], size: (item: T) => number, limit: number): Generator<T[]> {
  let group: T[] = [];
  let total = 0;
  for (const item of items) {
    if (group.length > 0 && total + size(item) > limit) {
      yield group;
      group = [];
      total = 0;
    }
    group.push(item);
    total += size(item);
  }
  if (group.length > 0) yield group;
}
