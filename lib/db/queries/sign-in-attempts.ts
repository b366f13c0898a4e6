import 'server-only';
import { and, count, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { signInAttempts } from '@/lib/db/schema';

export async function recordSignInAttempt(db: Db, attempt: { email: string; ip: string; succeeded: boolean }) {
  await db.insert(signInAttempts).values(attempt);
}

export async function countRecentFailures(db: Db, since: Date, by: { email: string } | { ip: string }) {
  const who = 'email' in by ? eq(signInAttempts.email, by.email) : eq(signInAttempts.ip, by.ip);
  const [row] = await db
    .select({ n: count() })
    .from(signInAttempts)
    .where(and(who, eq(signInAttempts.succeeded, false), gt(signInAttempts.at, since)));
  return row?.n ?? 0;
}

export async function forgetAttemptsBefore(db: Db, before: Date) {
  await db.delete(signInAttempts).where(lt(signInAttempts.at, before));
}
