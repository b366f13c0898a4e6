import 'server-only';
import type { Db } from '@/lib/db/types';
import { deleteAdminUnlessLast, findAdminById } from '@/lib/db/queries/admins';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import type { SignedInAdmin } from '@/lib/auth/require-admin';

export type RemoveOutcome = 'removed' | 'last' | 'missing' | 'self_unconfirmed';

/**
 * Removes an administrator and, with the row, every session they hold. Never the last one; removing yourself
 * takes an explicit confirmation, so a slip on the wrong row cannot lock you out.
 */
export async function removeAdministrator(
  db: Db,
  actor: SignedInAdmin,
  targetId: string,
  confirmedSelf: boolean,
): Promise<RemoveOutcome> {
  const target = await findAdminById(db, targetId);
  if (!target) return 'missing';
  if (target.id === actor.id && !confirmedSelf) return 'self_unconfirmed';
  const outcome = await deleteAdminUnlessLast(db, targetId);
  if (outcome === 'removed') {
    await recordAuditEvent(db, {
      adminId: actor.id,
      adminEmail: actor.email,
      action: 'admin.removed',
      target: target.email,
      details: { self: target.id === actor.id },
    });
  }
  return outcome;
}
