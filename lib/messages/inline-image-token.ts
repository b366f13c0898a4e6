import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { getEnv } from '@/lib/config/env';

/**
 * The body frame is sandboxed without allow-same-origin, so its origin is opaque and the browser treats its image
 * requests as cross-site: the SameSite session cookie is not sent. The signed-in body route therefore signs each
 * inline image URL it writes; the token opens that one attachment of that one message, as an inline raster image
 * only, for a few minutes.
 */

const LIFETIME_SECONDS = 15 * 60;

function signature(messageId: number, attachmentId: number, expires: number): Buffer {
  // A key of its own, derived from AUTH_SECRET, so this MAC can never stand in for anything else signed with it.
  const key = createHmac('sha256', getEnv().AUTH_SECRET).update('mailgate:inline-image:v1').digest();
  return createHmac('sha256', key).update(`${messageId}.${attachmentId}.${expires}`).digest();
}

export function signInlineImage(messageId: number, attachmentId: number, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + LIFETIME_SECONDS;
  return `${expires}.${signature(messageId, attachmentId, expires).toString('base64url')}`;
}

export function verifyInlineImage(
  token: string | null,
  messageId: number,
  attachmentId: number,
  now = Date.now(),
): boolean {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token ?? '');
  if (!match?.[1] || !match[2]) return false;
  const expires = Number(match[1]);
  if (expires * 1000 < now) return false;
  const given = Buffer.from(match[2], 'base64url');
  const expected = signature(messageId, attachmentId, expires);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
