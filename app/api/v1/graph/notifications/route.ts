import { after } from 'next/server';
import {
  acceptGraphNotifications,
  notificationCollectionSchema,
  syncPushedMailboxes,
} from '@/lib/channels/microsoft365/graph-notifications';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';
export const maxDuration = 300;

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_TOKEN_LENGTH = 4096;
const PLAIN = {
  'content-type': 'text/plain; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * Microsoft Graph's webhook, public by design (no admin session; it is what GRAPH_NOTIFICATION_URL names). Trust
 * comes from the clientState only Graph and this console know (its hash is stored). Answers carry nothing:
 * - `?validationToken=…`: the endpoint validation, answered 200 text/plain with the token
 *   (https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks, "Notification endpoint
 *   validation");
 * - notifications: 202 at once, the sync after the response, as Microsoft advises ("process the notification
 *   asynchronously" and answer quickly, same page, "Receive notifications"); unknown ones get 202 as well.
 */
export async function POST(request: Request): Promise<Response> {
  const validationToken = new URL(request.url).searchParams.get('validationToken');
  if (validationToken !== null) {
    if (validationToken.length === 0 || validationToken.length > MAX_TOKEN_LENGTH)
      return new Response('Bad validation token.', { status: 400, headers: PLAIN });
    return new Response(validationToken, { status: 200, headers: PLAIN });
  }
  const body = await readCapped(request, MAX_BODY_BYTES);
  if (body === null) return new Response('The body is larger than 1 MB.', { status: 413, headers: PLAIN });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return new Response('Not a change notification collection.', { status: 400, headers: PLAIN });
  }
  const collection = notificationCollectionSchema.safeParse(parsed);
  if (!collection.success)
    return new Response('Not a change notification collection.', { status: 400, headers: PLAIN });
  const db = await getDb();
  const accountIds = await acceptGraphNotifications(db, collection.data.value);
  if (accountIds.length > 0) after(() => syncPushedMailboxes(db, accountIds));
  return new Response(null, { status: 202, headers: { 'cache-control': 'no-store' } });
}

/** The body, or null past `limit` bytes (by Content-Length, or counted while reading when it is absent or lies). */
async function readCapped(request: Request, limit: number): Promise<Buffer | null> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) return null;
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
