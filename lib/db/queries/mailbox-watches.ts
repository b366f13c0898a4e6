import 'server-only';
import { and, asc, eq, gt, inArray, isNull, notInArray, or, lt, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { mailAccounts, mailboxWatches } from '@/lib/db/schema';
import { syncAccountColumns, type SyncAccount } from '@/lib/db/queries/sync-leases';

/** Mailboxes worth an IDLE connection: active, read over IMAP (Graph mailboxes are polled), syncing INBOX. */
const watchable = and(
  eq(mailAccounts.status, 'active'),
  eq(mailAccounts.transport, 'imap'),
  isNull(mailAccounts.removedAt),
  sql`'INBOX' = any(${mailAccounts.folders})`,
);

export interface WatchClaim {
  owner: string;
  leaseMs: number;
  limit: number;
  /** Mailboxes this worker will not watch (their server offers no IDLE). */
  exclude?: string[];
}

/**
 * Takes up to `limit` watchable mailboxes nobody watches, or whose watcher stopped renewing (a dead worker).
 * The insert's ON CONFLICT takes an existing row only when it has expired, so two workers claiming at once
 * cannot both win a mailbox. Times are the database's, so workers on different machines agree on expiry.
 */
export async function claimWatches(db: Db, claim: WatchClaim): Promise<SyncAccount[]> {
  if (claim.limit <= 0) return [];
  const free = db
    .select({ id: mailAccounts.id })
    .from(mailAccounts)
    .leftJoin(mailboxWatches, eq(mailboxWatches.accountId, mailAccounts.id))
    .where(
      and(
        watchable,
        or(isNull(mailboxWatches.accountId), lt(mailboxWatches.expiresAt, sql`now()`)),
        claim.exclude?.length ? notInArray(mailAccounts.id, claim.exclude) : undefined,
      ),
    )
    .orderBy(asc(mailAccounts.createdAt))
    .limit(claim.limit);
  const candidates = (await free).map((row) => row.id);
  if (candidates.length === 0) return [];
  const claimed = await db
    .insert(mailboxWatches)
    .values(candidates.map((accountId) => ({ accountId, owner: claim.owner, expiresAt: until(claim.leaseMs) })))
    .onConflictDoUpdate({
      target: mailboxWatches.accountId,
      set: { owner: claim.owner, expiresAt: until(claim.leaseMs), startedAt: sql`now()`, heartbeatAt: sql`now()` },
      setWhere: lt(mailboxWatches.expiresAt, sql`now()`),
    })
    .returning({ accountId: mailboxWatches.accountId });
  if (claimed.length === 0) return [];
  return db
    .select(syncAccountColumns)
    .from(mailAccounts)
    .where(
      inArray(
        mailAccounts.id,
        claimed.map((row) => row.accountId),
      ),
    );
}

/**
 * The heartbeat: extends every watch `owner` still holds on a mailbox that is still watchable, in one statement
 * however many it watches. Returns those ids; a watch missing from them was taken over or should stop.
 */
export async function renewWatches(db: Db, owner: string, leaseMs: number): Promise<Set<string>> {
  const rows = await db
    .update(mailboxWatches)
    .set({ expiresAt: until(leaseMs), heartbeatAt: sql`now()` })
    .where(
      and(
        eq(mailboxWatches.owner, owner),
        inArray(mailboxWatches.accountId, db.select({ id: mailAccounts.id }).from(mailAccounts).where(watchable)),
      ),
    )
    .returning({ accountId: mailboxWatches.accountId });
  return new Set(rows.map((row) => row.accountId));
}

/** Ends `owner`'s watch of one mailbox (never another worker's). */
export async function releaseWatch(db: Db, accountId: string, owner: string): Promise<void> {
  await db.delete(mailboxWatches).where(and(eq(mailboxWatches.accountId, accountId), eq(mailboxWatches.owner, owner)));
}

/** A stopping worker's last word: its mailboxes are free for another at once, not after the lease expires. */
export async function releaseWatchesOf(db: Db, owner: string): Promise<number> {
  const rows = await db
    .delete(mailboxWatches)
    .where(eq(mailboxWatches.owner, owner))
    .returning({ accountId: mailboxWatches.accountId });
  return rows.length;
}

/** Of these mailboxes, the ones a live worker watches now (its heartbeat has not expired). */
export async function watchedAmong(db: Db, accountIds: string[]): Promise<Set<string>> {
  if (accountIds.length === 0) return new Set();
  const rows = await db
    .select({ accountId: mailboxWatches.accountId })
    .from(mailboxWatches)
    .where(and(inArray(mailboxWatches.accountId, accountIds), gt(mailboxWatches.expiresAt, sql`now()`)));
  return new Set(rows.map((row) => row.accountId));
}

function until(leaseMs: number) {
  return sql`now() + make_interval(secs => ${leaseMs / 1000})`;
}
