import 'server-only';
import type { Db } from '@/lib/db/types';
import { saveDeltaLink } from '@/lib/db/queries/folder-state';
import { insertMessageBatch, storedMessageIds, type MessageToStore } from '@/lib/db/queries/message-batches';
import { headersOnly } from '@/lib/mail/parse';
import type { FolderDeltaPage, GraphMessageSource } from '@/lib/microsoft/graph/folder-delta';
import { parseSource, tooLargeReason } from '@/lib/sync/fetch-batch';
import { StoreError } from '@/lib/sync/failures';
import { inLeasedTransaction, LeaseLostError, type LeaseKeeper } from '@/lib/sync/lease';
import { messageRow, type ParsedMail } from '@/lib/sync/message-row';
import type { SyncAccount } from '@/lib/sync/types';

export interface PageTarget {
  db: Db;
  lease: LeaseKeeper;
  account: SyncAccount;
  folder: string;
  maxMessageBytes: number;
}

export interface StoredPage {
  stored: number;
  bytes: number;
  /** Graph ids whose full source the database now holds: the after-fetch mode may touch these. */
  held: string[];
}

/**
 * Writes one delta page and the link that follows it (nextLink, or the round's deltaLink) in one transaction that
 * also re-checks the lease, as an IMAP batch moves its UID watermark: a crash never leaves the link past a page
 * that was not stored, and a page stored twice (a round resumed or restarted) adds nothing, by the account's Graph
 * id (ON CONFLICT) and by the folder's Message-IDs.
 */
export async function storeDeltaPage(
  target: PageTarget,
  page: FolderDeltaPage,
  link: string | null,
): Promise<StoredPage> {
  const { db, lease, account, folder } = target;
  const key = { accountId: account.id, folder };
  let rows: MessageToStore[];
  let created: Map<number | string, number>;
  try {
    const parsed: { graphId: string; mail: ParsedMail }[] = [];
    // One parse at a time: mailparser is CPU-bound, running many at once only adds memory.
    for (const message of page.messages) parsed.push({ graphId: message.graphId, mail: await parse(message, target) });
    const known = await storedMessageIds(
      db,
      key,
      parsed.flatMap(({ mail }) => (mail.parsed.messageId ? [mail.parsed.messageId] : [])),
    );
    rows = parsed
      .filter(({ mail }) => !mail.parsed.messageId || !known.has(mail.parsed.messageId))
      .map(({ graphId, mail }) => messageRow(mail, { ...key, graphId }, null));
    created = await inLeasedTransaction(db, lease, async (tx) => {
      const ids = await insertMessageBatch(tx, rows);
      if (!(await saveDeltaLink(tx, key, link))) throw new Error(`No folder state for ${folder}`);
      return ids;
    });
  } catch (error) {
    throw error instanceof LeaseLostError ? error : new StoreError(error);
  }
  let bytes = 0;
  for (const row of rows)
    if (row.message.graphId && created.has(row.message.graphId)) bytes += row.source?.bytes.length ?? 0;
  // Listed again (a restarted round) means still on the server: stored before, so the mode applies to it too.
  const held = page.messages.filter((message) => message.raw.length <= target.maxMessageBytes).map((m) => m.graphId);
  return { stored: created.size, bytes, held };
}

/** Over the size limit: the headers only, recorded as the IMAP path records them (Graph's size is exact). */
async function parse(message: GraphMessageSource, target: PageTarget): Promise<ParsedMail> {
  const meta = {
    size: message.raw.length,
    flags: message.isRead ? ['\\Seen'] : [],
    internalDate: message.receivedAt ?? new Date(),
  };
  if (message.raw.length <= target.maxMessageBytes) return { meta, ...(await parseSource(message.raw)) };
  return {
    meta,
    source: null,
    sha256: null,
    parsed: await headersOnly(message.raw),
    skippedReason: tooLargeReason(String(message.raw.length), target.maxMessageBytes),
  };
}
