import { getDb } from '@/lib/db';
import { attachmentResponse } from '@/lib/messages/download-responses';
import { verifyInlineImage } from '@/lib/messages/inline-image-token';
import { parseRecordId } from '@/lib/messages/record-id';
import { notFoundResponse, refusalWithoutAdmin } from '@/lib/messages/route-auth';

export const dynamic = 'force-dynamic';

/**
 * One attachment of one message, as a download. `?inline=1` shows plain raster images inline; the body frame's
 * cid: images also carry a `token`, because the sandboxed frame sends no session cookie (inline-image-token.ts).
 */
export async function GET(request: Request, { params }: { params: Promise<{ id: string; attachmentId: string }> }) {
  const { id, attachmentId } = await params;
  const messageId = parseRecordId(id);
  const partId = parseRecordId(attachmentId);
  const query = new URL(request.url).searchParams;
  const token = query.get('token');
  const byToken =
    messageId !== null && partId !== null && token !== null && verifyInlineImage(token, messageId, partId);
  if (!byToken) {
    const refusal = await refusalWithoutAdmin(request);
    if (refusal) return refusal;
  }
  if (messageId === null || partId === null) return notFoundResponse('attachment');
  return attachmentResponse(await getDb(), messageId, partId, {
    inline: byToken || query.get('inline') === '1',
    onlyInlineImage: byToken,
  });
}
