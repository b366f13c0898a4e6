import 'server-only';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { adminRecoveryCodes, admins } from '@/lib/db/schema';
import { transaction } from '@/lib/db/transaction';

/** Turns two-factor sign-in on with a confirmed secret and a fresh set of recovery codes (replacing any old ones). */
export async function enableTotp(
  db: Db,
  input: { adminId: string; secretSealed: string; timeStep: number; codeHashes: string[]; now: Date },
): Promise<void> {
  await transaction(db, async (tx) => {
    await tx
      .update(admins)
      .set({ totpSecretSealed: input.secretSealed, totpEnabledAt: input.now, totpLastTimeStep: input.timeStep })
      .where(eq(admins.id, input.adminId));
    await tx.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, input.adminId));
    await tx
      .insert(adminRecoveryCodes)
      .values(input.codeHashes.map((codeHash) => ({ adminId: input.adminId, codeHash })));
  });
}

export async function disableTotp(db: Db, adminId: string): Promise<void> {
  await transaction(db, async (tx) => {
    await tx
      .update(admins)
      .set({ totpSecretSealed: null, totpEnabledAt: null, totpLastTimeStep: null })
      .where(eq(admins.id, adminId));
    await tx.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, adminId));
  });
}

/** Accepts a code's time step once: of two sign-ins with the same code, only the first moves the step on. */
export async function advanceTotpTimeStep(db: Db, adminId: string, timeStep: number): Promise<boolean> {
  const rows = await db
    .update(admins)
    .set({ totpLastTimeStep: timeStep })
    .where(and(eq(admins.id, adminId), or(isNull(admins.totpLastTimeStep), lt(admins.totpLastTimeStep, timeStep))))
    .returning({ id: admins.id });
  return rows.length > 0;
}

/** Uses a recovery code up, once. */
export async function spendRecoveryCode(db: Db, adminId: string, codeHash: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(adminRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(adminRecoveryCodes.adminId, adminId),
        eq(adminRecoveryCodes.codeHash, codeHash),
        isNull(adminRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: adminRecoveryCodes.id });
  return rows.length > 0;
}

export async function countUnusedRecoveryCodes(db: Db, adminId: string): Promise<number> {
  const rows = await db
    .select({ id: adminRecoveryCodes.id })
    .from(adminRecoveryCodes)
    .where(and(eq(adminRecoveryCodes.adminId, adminId), isNull(adminRecoveryCodes.usedAt)));
  return rows.length;
}
