import 'server-only';
import { and, asc, eq, isNotNull, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { mailAccounts, type AccountError } from '@/lib/db/schema';

export interface StaleSignIn {
  id: string;
  status: (typeof mailAccounts.$inferSelect)['status'];
  signInAddress: string;
  tenantId: string;
  transport: (typeof mailAccounts.$inferSelect)['transport'];
}

/**
 * Leases up to `limit` accounts whose sign-in was last renewed before `renewedBefore` (or never recorded), so
 * their refresh token can be used before it lapses. Needs-reauth accounts have nothing left to renew; removed
 * ones have no token. The lease keeps a sync of the same account (and so a second refresh) away meanwhile.
 */
export async function leaseStaleSignIns(
  db: Db,
  request: { owner: string; leaseMs: number; renewedBefore: Date; limit: number },
): Promise<StaleSignIn[]> {
  const candidates = db
    .select({ id: mailAccounts.id })
    .from(mailAccounts)
    .where(
      and(
        isNull(mailAccounts.removedAt),
        isNotNull(mailAccounts.tokenCacheSealed),
        ne(mailAccounts.status, 'needs_reauth'),
        or(isNull(mailAccounts.signInRenewedAt), lt(mailAccounts.signInRenewedAt, request.renewedBefore)),
        or(isNull(mailAccounts.leaseOwner), lt(mailAccounts.leaseExpiresAt, sql`now()`)),
      ),
    )
    .orderBy(sql`${mailAccounts.signInRenewedAt} asc nulls first`, asc(mailAccounts.id))
    .limit(request.limit)
    .for('update', { skipLocked: true });
  return db
    .update(mailAccounts)
    .set({
      leaseOwner: request.owner,
      leaseExpiresAt: sql`now() + make_interval(secs => ${request.leaseMs / 1000})`,
    })
    .where(sql`${mailAccounts.id} in (${candidates})`)
    .returning({
      id: mailAccounts.id,
      status: mailAccounts.status,
      signInAddress: mailAccounts.signInAddress,
      tenantId: mailAccounts.tenantId,
      transport: mailAccounts.transport,
    });
}

/** Frees the lease; a dead sign-in also records why (and, unless the account is disabled, needs_reauth). */
export async function finishSignInRenewal(
  db: Db,
  id: string,
  owner: string,
  dead?: { status: StaleSignIn['status']; lastError: AccountError },
): Promise<void> {
  await db
    .update(mailAccounts)
    .set({ leaseOwner: null, leaseExpiresAt: null, ...(dead ?? {}), updatedAt: new Date() })
    .where(and(eq(mailAccounts.id, id), eq(mailAccounts.leaseOwner, owner)));
}
