import 'server-only';
import type { Db } from '@/lib/db/types';
import { findMessageHtml, listAttachments } from '@/lib/db/queries/messages';
import { visibleText } from '@/lib/format/visible-text';
import { bodyContentSecurityPolicy, bodyDocument } from '@/lib/messages/body-document';
import { isInlineSafeImage } from '@/lib/messages/download-headers';
import { signInlineImage } from '@/lib/messages/inline-image-token';
import { notFoundResponse } from '@/lib/messages/route-auth';
import { sanitizeMessageHtml } from '@/lib/messages/sanitize-html';
import { attachmentUrl } from '@/lib/messages/urls';

/** The sanitized HTML body as a document for the sandboxed frame; 404 when the message has no HTML part. */
export async function messageBodyResponse(
  db: Db,
  messageId: number,
  options: { remoteImages: boolean },
): Promise<Response> {
  const message = await findMessageHtml(db, messageId);
  const html = message?.html;
  if (!html) return notFoundResponse('message body');
  const inlineImages = new Map<string, string>();
  for (const part of await listAttachments(db, messageId)) {
    // Only raster types are served inline; any other cid: target simply does not show.
    if (!part.contentId || !isInlineSafeImage(part.contentType)) continue;
    inlineImages.set(
      part.contentId,
      attachmentUrl(messageId, part.id, { inline: true, token: signInlineImage(messageId, part.id) }),
    );
  }
  return new Response(
    bodyDocument(
      sanitizeMessageHtml(html, inlineImages),
      message.subject ? visibleText(message.subject) : '(no subject)',
    ),
    {
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': bodyContentSecurityPolicy(options),
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'SAMEORIGIN',
        // Remote images, once allowed, learn nothing about the console's URLs.
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'private, no-store',
      },
    },
  );
}
