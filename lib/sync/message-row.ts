import 'server-only';
import type { MessageToStore } from '@/lib/db/queries/message-batches';
import type { FetchedMessage } from '@/lib/sync/fetch-batch';

/** Where a row belongs: its folder and its key, a UID in a UIDVALIDITY (IMAP) or a Graph id (Graph). */
export type RowKey = { accountId: string; folder: string } & (
  { uidValidity: number; uid: number; graphId?: never } | { graphId: string; uidValidity?: never; uid?: never }
);

/** A fetched, parsed message without its IMAP UID: what both transports hand the store. */
export type ParsedMail = Omit<FetchedMessage, 'meta'> & { meta: Omit<FetchedMessage['meta'], 'uid'> };

/**
 * The row, source and attachment rows of one fetched message, for either transport. `duplicateOf` links a copy
 * of a stored original (a UIDVALIDITY change re-listed it): the copy keeps no bytes and no attachments of its own.
 */
export function messageRow(fetched: ParsedMail, key: RowKey, duplicateOf: number | null): MessageToStore {
  const { meta, parsed } = fetched;
  const size = fetched.source?.length ?? meta.size;
  const keepBytes = duplicateOf === null && fetched.source !== null && fetched.sha256 !== null;
  return {
    message: {
      ...key,
      messageId: parsed.messageId,
      inReplyTo: parsed.inReplyTo,
      subject: parsed.subject,
      fromAddress: parsed.from,
      toAddresses: parsed.to,
      ccAddresses: parsed.cc,
      replyTo: parsed.replyTo,
      date: parsed.date,
      dateHeader: parsed.dateHeader,
      internalDate: meta.internalDate,
      size,
      flags: meta.flags,
      snippet: parsed.snippet || null,
      text: parsed.text,
      html: parsed.html,
      hasAttachments: parsed.hasAttachments,
      parseError: parsed.parseError,
      skippedReason: fetched.skippedReason,
      duplicateOf,
    },
    source: keepBytes ? { bytes: fetched.source as Buffer, sha256: fetched.sha256 as string } : null,
    attachments:
      duplicateOf !== null
        ? []
        : parsed.attachments.map((attachment) => ({
            filename: attachment.filename,
            originalFilename: attachment.originalFilename,
            contentType: attachment.contentType,
            size: attachment.size,
            contentId: attachment.contentId,
            inline: attachment.inline,
            checksum: attachment.checksum,
          })),
  };
}
