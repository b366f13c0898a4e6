import 'server-only';
import type { Db } from '@/lib/db/types';
import { advanceWatermark } from '@/lib/db/queries/folder-state';
import { findEarlierCopies, insertMessageBatch, type MessageToStore } from '@/lib/db/queries/message-batches';
import { forgetUnretrievable, recordUnretrievable } from '@/lib/db/queries/unretrievable';
import type { ImapConnection } from '@/lib/mail/imap';
import type { FetchedBatch, FetchedMessage } from '@/lib/sync/fetch-batch';
import { applyAfterFetch } from '@/lib/sync/after-fetch';
import { messageRow } from '@/lib/sync/message-row';
import type { PlannedBatch } from '@/lib/sync/fetch-plan';
import { StoreError } from '@/lib/sync/failures';
import { inLeasedTransaction, LeaseLostError, type LeaseKeeper } from '@/lib/sync/lease';
import type { SyncAccount } from '@/lib/sync/types';

export interface BatchTarget {
  db: Db;
  client: ImapConnection;
  lease: LeaseKeeper;
  account: SyncAccount;
  folder: string;
  uidValidity: number;
  /** The folder has rows of an earlier UIDVALIDITY: copies of them are linked instead of stored again. */
  linkEarlierCopies: boolean;
  /** UIDs recorded as not retrievable that this run tries again: a stored one loses its record. */
  retrying?: ReadonlySet<number>;
}

/** A row of mail fetched over IMAP, which always has its UID. */
type ImapRow = MessageToStore & { message: { uid: number } };

export interface StoredBatch {
  stored: number;
  bytes: number;
}

/**
 * Writes a batch and moves the watermark to its last UID in one transaction, which also re-checks (and extends)
 * this worker's lease: a worker that lost its lease cannot commit. The rows are written while `previous` (the
 * batch before, on another connection) may still be writing; the watermark moves only once that one is done
 * (committed, and its after-fetch mode applied), so watermarks advance in UID order and a failed batch takes
 * every later one down with it. Only after the commit does the after-fetch mode touch the server, and only for
 * messages whose full source is now stored. Messages the server listed but did not serve are recorded in the
 * same transaction, so the watermark never passes one without its record; one stored at last loses its record.
 */
export async function storeBatch(
  target: BatchTarget,
  batch: PlannedBatch,
  { messages: fetched, unretrievable }: FetchedBatch,
  previous: Promise<unknown> = Promise.resolve(),
): Promise<StoredBatch> {
  const { db, lease, account, folder, uidValidity } = target;
  const key = { accountId: account.id, folder, uidValidity };
  let rows: ImapRow[];
  let created: Map<number | string, number>;
  try {
    const earlier = target.linkEarlierCopies ? await earlierCopies(db, key, fetched) : new Map<string, number>();
    rows = fetched.map((message) => toRow(message, key, earlier));
    created = await inLeasedTransaction(db, lease, async (tx) => {
      const ids = await insertMessageBatch(tx, rows);
      const retried = rows.map((row) => row.message.uid).filter((uid) => target.retrying?.has(uid));
      await forgetUnretrievable(tx, key, retried);
      await recordUnretrievable(tx, key, unretrievable);
      await previous.catch(() => {
        throw new EarlierBatchFailed();
      });
      if (!(await advanceWatermark(tx, key, batch.lastUid)))
        throw new Error(`No folder state for ${folder} at UIDVALIDITY ${uidValidity}`);
      return ids;
    });
  } catch (error) {
    throw error instanceof LeaseLostError || error instanceof EarlierBatchFailed ? error : new StoreError(error);
  }
  // Headers-only rows do not hold the mail: it stays on the server untouched.
  const done = rows.filter((row) => row.message.skippedReason === null).map((row) => row.message.uid);
  await applyAfterFetch(target.client, account.afterFetch, done);
  let bytes = 0;
  for (const row of rows) if (created.has(row.message.uid)) bytes += row.source?.bytes.length ?? 0;
  return { stored: created.size, bytes };
}

/** This batch rolled back because the one before it failed; that one's error is the one to report. */
export class EarlierBatchFailed extends Error {
  override name = 'EarlierBatchFailed';
  constructor() {
    super('The batch before this one was not stored.');
  }
}

function toRow(
  fetched: FetchedMessage,
  key: { accountId: string; folder: string; uidValidity: number },
  earlier: Map<string, number>,
): ImapRow {
  const { meta, parsed } = fetched;
  const size = fetched.source?.length ?? meta.size;
  const duplicateOf = parsed.messageId ? (earlier.get(copyKey(parsed.messageId, size, parsed.date)) ?? null) : null;
  return messageRow(fetched, { ...key, uid: meta.uid }, duplicateOf) as ImapRow;
}

async function earlierCopies(
  db: Db,
  key: { accountId: string; folder: string; uidValidity: number },
  fetched: FetchedMessage[],
): Promise<Map<string, number>> {
  const ids = [...new Set(fetched.flatMap((message) => (message.parsed.messageId ? [message.parsed.messageId] : [])))];
  const copies = await findEarlierCopies(db, key, ids);
  const byKey = new Map<string, number>();
  // The oldest original wins when an earlier generation itself holds the message twice.
  for (const copy of copies.sort((a, b) => a.id - b.id)) {
    const k = copyKey(copy.messageId, copy.size, copy.date);
    if (!byKey.has(k)) byKey.set(k, copy.id);
  }
  return byKey;
}

/** Message-ID + size + Date header: the same mail listed again, not merely a reply quoting the same id. */
function copyKey(messageId: string, size: number, date: Date | null): string {
  return `${messageId}\n${size}\n${date?.getTime() ?? ''}`;
}
