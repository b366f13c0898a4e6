import 'server-only';
import type { Db } from '@/lib/db';
import { countRecentFailures } from '@/lib/db/queries/sign-in-attempts';

export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_IP = 20;

/** True when recent failed sign-ins for this e-mail or from this address mean the next try must wait. */
export async function signInBlocked(db: Db, email: string, ip: string, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - SIGN_IN_WINDOW_MS);
  const [byEmail, byIp] = await Promise.all([
    countRecentFailures(db, since, { email }),
    countRecentFailures(db, since, { ip }),
  ]);
  return byEmail >= MAX_FAILURES_PER_EMAIL || byIp >= MAX_FAILURES_PER_IP;
}

/** The client address as the nearest proxy reports it; 'unknown' keeps all such requests in one bucket. */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || headers.get('x-real-ip') || 'unknown';
}
