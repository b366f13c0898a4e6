import 'server-only';
import type { Db } from '@/lib/db/types';
import { findAttachment, findMessageSource } from '@/lib/db/queries/messages';
import { logger } from '@/lib/logger';
import { extractAttachment } from '@/lib/mail/parse';
import {
  contentDisposition,
  downloadContentType,
  downloadFilename,
  isInlineSafeImage,
} from '@/lib/messages/download-headers';
import { notFoundResponse } from '@/lib/messages/route-auth';

// Mail stays out of shared caches and off disk; the sandbox CSP covers a browser that renders it anyway: no
// script, no load, an opaque origin (https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy/sandbox).
// next.config.ts leaves this route's CSP alone, so it must also refuse framing itself.
export const DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'";
const DOWNLOAD_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'private, no-store',
  'Content-Security-Policy': DOWNLOAD_POLICY,
};

function bytes(buffer: Buffer): Uint8Array<ArrayBuffer> {
  // A view over the same memory, typed as Response accepts it (a Buffer may sit on a SharedArrayBuffer type-wise).
  return new Uint8Array(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * An attachment's bytes. `inline` is honoured only for plain raster images (the body frame's cid: pictures);
 * everything else is a download under its sanitized name. `onlyInlineImage` (a request on an inline-image token
 * rather than a session) serves nothing else.
 */
export async function attachmentResponse(
  db: Db,
  messageId: number,
  attachmentId: number,
  options: { inline: boolean; onlyInlineImage?: boolean },
): Promise<Response> {
  const attachment = await findAttachment(db, messageId, attachmentId);
  if (!attachment || (options.onlyInlineImage && !isInlineSafeImage(attachment.contentType)))
    return notFoundResponse('attachment');
  const content = attachment.content ?? (await decodeFromSource(db, messageId, attachment.checksum));
  if (!content) {
    logger('downloads').error({ messageId, attachmentId }, 'the stored source no longer yields this attachment');
    return notFoundResponse('attachment');
  }
  const filename = downloadFilename(attachment, `attachment-${attachment.id}`);
  const disposition = options.inline && isInlineSafeImage(attachment.contentType) ? 'inline' : 'attachment';
  return new Response(bytes(content), {
    headers: {
      ...DOWNLOAD_HEADERS,
      'Content-Type': downloadContentType(attachment.contentType),
      'Content-Disposition': contentDisposition(disposition, filename),
      'Content-Length': String(content.byteLength),
    },
  });
}

/** Attachments stored without their bytes (all since migration 0006) are decoded again from the raw source. */
async function decodeFromSource(db: Db, messageId: number, checksum: string): Promise<Buffer | null> {
  const source = await findMessageSource(db, messageId);
  return source ? extractAttachment(source, checksum) : null;
}

/** The raw source exactly as fetched from IMAP, as an .eml download. */
export async function messageSourceResponse(db: Db, messageId: number): Promise<Response> {
  const source = await findMessageSource(db, messageId);
  if (!source) return notFoundResponse('message source');
  return new Response(bytes(source), {
    headers: {
      ...DOWNLOAD_HEADERS,
      'Content-Type': 'message/rfc822',
      'Content-Disposition': contentDisposition('attachment', `message-${messageId}.eml`),
      'Content-Length': String(source.byteLength),
    },
  });
}
