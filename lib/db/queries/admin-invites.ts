import 'server-only';
import { and, desc, eq, gt, isNull, TransactionRollbackError } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import type { Admin } from '@/lib/db/queries/admins';
import { adminInvites, admins } from '@/lib/db/schema';
import { transaction } from '@/lib/db/transaction';

export type AdminInvite = typeof adminInvites.$inferSelect;

export async function insertAdminInvite(
  db: Db,
  input: { tokenHash: string; email: string; invitedBy: string; expiresAt: Date },
): Promise<AdminInvite> {
  const [row] = await db.insert(adminInvites).values(input).returning();
  if (!row) throw new Error('the invitation was not stored');
  return row;
}

/** The invitation a link names while it can still be used: not used, not withdrawn, not expired. */
export async function findUsableInvite(db: Db, tokenHash: string, now: Date): Promise<AdminInvite | undefined> {
  const [row] = await db
    .select()
    .from(adminInvites)
    .where(
      and(
        eq(adminInvites.tokenHash, tokenHash),
        isNull(adminInvites.usedAt),
        isNull(adminInvites.revokedAt),
        gt(adminInvites.expiresAt, now),
      ),
    );
  return row;
}

export async function revokeAdminInvite(db: Db, id: string, now: Date): Promise<AdminInvite | undefined> {
  const [row] = await db
    .update(adminInvites)
    .set({ revokedAt: now })
    .where(and(eq(adminInvites.id, id), isNull(adminInvites.usedAt), isNull(adminInvites.revokedAt)))
    .returning();
  return row;
}

export async function listPendingInvites(db: Db, now: Date): Promise<AdminInvite[]> {
  return db
    .select()
    .from(adminInvites)
    .where(and(isNull(adminInvites.usedAt), isNull(adminInvites.revokedAt), gt(adminInvites.expiresAt, now)))
    .orderBy(desc(adminInvites.createdAt));
}

type AcceptOutcome = { ok: true; admin: Admin; invite: AdminInvite } | { ok: false; reason: 'invalid' | 'exists' };

/**
 * Uses the invitation up and adds its admin in one transaction: of two concurrent acceptances only one claims the
 * row, and an e-mail that meanwhile became an admin leaves the invitation unused.
 */
export async function acceptAdminInvite(
  db: Db,
  input: { tokenHash: string; now: Date; name: string | null; passwordHash: string },
): Promise<AcceptOutcome> {
  return transaction(db, async (tx): Promise<AcceptOutcome> => {
    const [invite] = await tx
      .update(adminInvites)
      .set({ usedAt: input.now })
      .where(
        and(
          eq(adminInvites.tokenHash, input.tokenHash),
          isNull(adminInvites.usedAt),
          isNull(adminInvites.revokedAt),
          gt(adminInvites.expiresAt, input.now),
        ),
      )
      .returning();
    if (!invite) return { ok: false, reason: 'invalid' };
    const [admin] = await tx
      .insert(admins)
      .values({ email: invite.email, name: input.name, passwordHash: input.passwordHash })
      .onConflictDoNothing({ target: admins.email })
      .returning();
    if (!admin) {
      tx.rollback();
      return { ok: false, reason: 'exists' };
    }
    return { ok: true, admin, invite };
  }).catch((error: unknown) => {
    if (error instanceof TransactionRollbackError) return { ok: false, reason: 'exists' } satisfies AcceptOutcome;
    throw error;
  });
}
