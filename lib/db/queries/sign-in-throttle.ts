import 'server-only';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { signInThrottle } from '@/lib/db/schema';

export interface ThrottleBucket {
  scope: string;
  key: string;
  /** Attempts allowed back to back before each further one waits. */
  free: number;
}

export interface ThrottlePolicy {
  /** The first wait; it doubles with every further attempt, up to `maxDelaySeconds`. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** A bucket without an attempt for this long starts again from nothing. */
  forgetAfterSeconds: number;
}

export type Reservation = { ok: true } | { ok: false; retryAt: Date };

/**
 * Counts one attempt in every bucket, unless one of them is waiting, in ONE statement: each upsert locks its
 * row and re-reads it, so of any number of concurrent attempts only as many as a bucket allows get through.
 * The attempt is counted before its password is checked (a success is forgiven afterwards).
 */
export async function reserveSignInAttempt(
  db: Db,
  buckets: ThrottleBucket[],
  policy: ThrottlePolicy,
  now: Date,
): Promise<Reservation> {
  if (buckets.length === 0) return { ok: true };
  // ISO text, cast in SQL: postgres.js cannot bind a Date inside a raw statement.
  const at = sql`${now.toISOString()}::timestamptz`;
  const forgetBefore = sql`${new Date(now.getTime() - policy.forgetAfterSeconds * 1000).toISOString()}::timestamptz`;
  const upserts = buckets.map((bucket, index) => {
    // The count this attempt makes: a forgotten bucket starts again at 1.
    const next = sql`(case when t.last_attempt_at < ${forgetBefore} then 1 else t.attempts + 1 end)`;
    const waitFor = (attempts: ReturnType<typeof sql>) =>
      sql`(case when ${attempts} >= ${bucket.free} then ${at} + make_interval(secs => least(${policy.maxDelaySeconds}::float8, ${policy.baseDelaySeconds}::float8 * power(2, ${attempts} - ${bucket.free}))) end)`;
    return sql`${sql.raw(`b${index}`)} as (
      insert into sign_in_throttle as t (scope, key, attempts, last_attempt_at, blocked_until)
      values (${bucket.scope}, ${bucket.key}, 1, ${at}, ${waitFor(sql`1`)})
      on conflict (scope, key) do update set
        attempts = ${next}, last_attempt_at = ${at}, blocked_until = ${waitFor(next)}
      where t.blocked_until is null or t.blocked_until <= ${at}
      returning 1
    )`;
  });
  const counted = buckets.map((_, index) => sql`(select count(*) from ${sql.raw(`b${index}`)})`);
  const keys = buckets.map((b) => sql`(${b.scope}, ${b.key})`);
  const result: unknown = await db.execute(sql`
    with ${sql.join(upserts, sql`, `)}
    select (${sql.join(counted, sql` + `)})::int as counted,
      (select max(blocked_until) from sign_in_throttle where (scope, key) in (${sql.join(keys, sql`, `)})) as retry_at`);
  const row = rowsOf<{ counted: number; retry_at: string | Date | null }>(result)[0];
  if (row && Number(row.counted) === buckets.length) return { ok: true };
  const retryAt = row?.retry_at ? new Date(row.retry_at) : now;
  return { ok: false, retryAt: retryAt > now ? retryAt : now };
}

/** A right password clears its (e-mail, client) bucket and gives back the attempt it took from the others. */
export async function forgiveSignInAttempt(db: Db, cleared: ThrottleBucket, refunded: ThrottleBucket[]) {
  await db
    .delete(signInThrottle)
    .where(and(eq(signInThrottle.scope, cleared.scope), eq(signInThrottle.key, cleared.key)));
  for (const bucket of refunded) {
    await db
      .update(signInThrottle)
      .set({ attempts: sql`greatest(${signInThrottle.attempts} - 1, 0)` })
      .where(and(eq(signInThrottle.scope, bucket.scope), eq(signInThrottle.key, bucket.key)));
  }
}

/** Buckets untouched for longer than they are remembered only grow the table. */
export async function forgetThrottleBefore(db: Db, before: Date) {
  await db.delete(signInThrottle).where(lt(signInThrottle.lastAttemptAt, before));
}

function rowsOf<T>(result: unknown): T[] {
  // postgres.js returns the rows as an array; PGlite wraps them in { rows }.
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}
