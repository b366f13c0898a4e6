import 'server-only';
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db/types';
import { mailAccounts, mailboxWatches } from '@/lib/db/schema';

/** What the sync engine reads of an account: never the token cache. */
export const syncAccountColumns = {
  id: mailAccounts.id,
  appId: mailAccounts.appId,
  kind: mailAccounts.kind,
  emailAddress: mailAccounts.emailAddress,
  signInAddress: mailAccounts.signInAddress,
  imapUser: mailAccounts.imapUser,
  tenantId: mailAccounts.tenantId,
  status: mailAccounts.status,
  folders: mailAccounts.folders,
  afterFetch: mailAccounts.afterFetch,
  transport: mailAccounts.transport,
  access: mailAccounts.access,
  consecutiveFailures: mailAccounts.consecutiveFailures,
  nextAttemptAt: mailAccounts.nextAttemptAt,
};

export type SyncAccount = Pick<typeof mailAccounts.$inferSelect, keyof typeof syncAccountColumns>;

export interface LeaseRequest {
  owner: string;
  leaseMs: number;
  limit: number;
  /** Accounts whose next_attempt_at is at or before this are due. */
  now: Date;
  /** Only these accounts, due or not ("sync now"); still only active or errored ones with a free lease. */
  accountIds?: string[];
  /** Accounts this pass has already handled. */
  exclude?: string[];
  /**
   * The polled pass passes over a mailbox an IDLE watch already covers: INBOX is all it syncs, a live worker
   * watches it (its claim has not expired), and its last sync succeeded after this moment. Ignored with
   * `accountIds` (a sync asked for by name, or one a watch starts, always runs).
   */
  skipWatchedSyncedAfter?: Date;
}

/**
 * Takes up to `limit` accounts for `owner`. FOR UPDATE SKIP LOCKED makes concurrent callers pass over rows another
 * is taking right now, and the lease predicate over rows another holds: an account is never leased twice.
 * Lease times use the database clock so that workers on different machines agree on expiry.
 */
export async function leaseDueAccounts(db: Db, request: LeaseRequest): Promise<SyncAccount[]> {
  const leaseFree = or(isNull(mailAccounts.leaseOwner), lt(mailAccounts.leaseExpiresAt, sql`now()`));
  const selection = request.accountIds
    ? and(
        inArray(mailAccounts.id, request.accountIds.length ? request.accountIds : [NONE]),
        inArray(mailAccounts.status, ['active', 'error']),
      )
    : and(
        eq(mailAccounts.status, 'active'),
        lte(mailAccounts.nextAttemptAt, request.now),
        request.skipWatchedSyncedAfter ? notCoveredByWatch(request.skipWatchedSyncedAfter) : undefined,
      );
  const candidates = db
    .select({ id: mailAccounts.id })
    .from(mailAccounts)
    .where(
      and(
        selection,
        leaseFree,
        // One array parameter, not one per id: a pass over 1,000 mailboxes sends this list 1,000 times, and as
        // `NOT IN ($1, …, $n)` building and planning it grew with every account (a pass was 26 mailboxes/s).
        request.exclude?.length ? sql`${mailAccounts.id} <> all(${uuidArray(request.exclude)})` : undefined,
      ),
    )
    .orderBy(asc(mailAccounts.nextAttemptAt))
    .limit(request.limit)
    .for('update', { skipLocked: true });
  return db
    .update(mailAccounts)
    .set({ leaseOwner: request.owner, leaseExpiresAt: leaseUntil(request.leaseMs) })
    .where(inArray(mailAccounts.id, candidates))
    .returning(syncAccountColumns);
}

/** Extends the lease if `owner` still holds it; false means another worker took over (ours expired). */
export async function renewLease(db: Db | Tx, accountId: string, owner: string, leaseMs: number): Promise<boolean> {
  const rows = await db
    .update(mailAccounts)
    .set({ leaseExpiresAt: leaseUntil(leaseMs) })
    .where(and(eq(mailAccounts.id, accountId), eq(mailAccounts.leaseOwner, owner)))
    .returning({ id: mailAccounts.id });
  return rows.length > 0;
}

export async function releaseLease(db: Db, accountId: string, owner: string): Promise<void> {
  await db
    .update(mailAccounts)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(mailAccounts.id, accountId), eq(mailAccounts.leaseOwner, owner)));
}

/** Frees every lease `owner` still holds: a stopping worker's last word, so no account waits for its expiry. */
export async function releaseLeasesOf(db: Db, owner: string): Promise<number> {
  const rows = await db
    .update(mailAccounts)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(eq(mailAccounts.leaseOwner, owner))
    .returning({ id: mailAccounts.id });
  return rows.length;
}

export type AccountSyncUpdate = Partial<
  Pick<
    typeof mailAccounts.$inferInsert,
    'status' | 'lastSyncedAt' | 'lastSyncOutcome' | 'lastError' | 'consecutiveFailures' | 'nextAttemptAt'
  >
>;

/** Records how a sync ended and releases the lease, only while `owner` still holds it. */
export async function finishAccountSync(
  db: Db,
  accountId: string,
  owner: string,
  update: AccountSyncUpdate,
): Promise<boolean> {
  const finish = accountFinish(accountId, owner, update);
  const rows = await db.update(mailAccounts).set(finish.set).where(finish.where).returning({ id: mailAccounts.id });
  return rows.length > 0;
}

/** The SET and WHERE of `finishAccountSync`, for a statement that also closes the run row. */
export function accountFinish(accountId: string, owner: string, update: AccountSyncUpdate) {
  const { status, ...rest } = update;
  return {
    set: {
      ...rest,
      // An admin who disabled the account while it synced has the last word.
      ...(status
        ? {
            status: sql`case when ${mailAccounts.status} = 'disabled' then ${mailAccounts.status} else ${status}::account_status end`,
          }
        : {}),
      leaseOwner: null,
      leaseExpiresAt: null,
      updatedAt: sql`now()`,
    },
    where: and(eq(mailAccounts.id, accountId), eq(mailAccounts.leaseOwner, owner)),
  };
}

/**
 * Not (INBOX only, watched by a live worker, last sync a success after `since`). A mailbox with more folders is
 * still polled for them; one whose watch died (claim expired), whose last sync failed or stopped part-way, or
 * that has not synced since `since` is polled as before.
 */
function notCoveredByWatch(since: Date) {
  // NOT EXISTS rather than NOT (…): a mailbox never synced (null outcome) must stay due, not vanish into NULL logic.
  return sql`not exists (
    select 1 from ${mailboxWatches}
    where ${mailboxWatches.accountId} = ${mailAccounts.id}
      and ${mailboxWatches.expiresAt} > now()
      and ${mailAccounts.folders} = array['INBOX']::text[]
      and ${mailAccounts.lastSyncOutcome} = 'success'
      and ${mailAccounts.lastSyncedAt} > ${since.toISOString()}::timestamptz
  )`;
}

// A uuid no account has: `IN ()` is not valid SQL.
const NONE = '00000000-0000-0000-0000-000000000000';

/** A uuid[] literal parameter (`{a,b}`): postgres.js sends it as text, cast once by the server. */
function uuidArray(ids: string[]) {
  return sql`${`{${ids.join(',')}}`}::uuid[]`;
}

function leaseUntil(leaseMs: number) {
  return sql`now() + make_interval(secs => ${leaseMs / 1000})`;
}
