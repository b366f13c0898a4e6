import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares `Authorization: Bearer <secret>` in constant time (hashing first hides the length too). */
export function hasBearerSecret(authorization: string | null, secret: string): boolean {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match?.[1]) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(secret));
}
