import 'server-only';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { findAdminById, setPasswordHash } from '@/lib/db/queries/admins';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { disableTotp } from '@/lib/db/queries/two-factor';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { endSessionsOf } from '@/lib/auth/sessions';
import { newPasswordSchema } from '@/lib/admins/password-rules';
import type { SignedInAdmin } from '@/lib/auth/require-admin';

export const changePasswordSchema = z
  .object({
    currentPassword: z.string('Enter your current password.').min(1, 'Enter your current password.').max(1024),
    newPassword: newPasswordSchema,
    confirmPassword: z.string('Type the new password again.'),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The new passwords do not match.',
  });

/**
 * Changes the signed-in admin's own password, the current one required (a borrowed, unlocked browser is not
 * enough), and ends their other sessions: whoever knew the old password is signed out everywhere else.
 */
export async function changeOwnPassword(
  db: Db,
  actor: SignedInAdmin,
  currentSessionId: string | undefined,
  input: { currentPassword: string; newPassword: string },
): Promise<{ ok: true; endedSessions: number } | { ok: false; reason: 'wrong_password' }> {
  const admin = await findAdminById(db, actor.id);
  if (!admin || !(await verifyPassword(input.currentPassword, admin.passwordHash))) {
    return { ok: false, reason: 'wrong_password' };
  }
  await setPasswordHash(db, admin.id, await hashPassword(input.newPassword));
  const endedSessions = await endSessionsOf(db, admin.id, currentSessionId);
  await recordAuditEvent(db, {
    adminId: actor.id,
    adminEmail: actor.email,
    action: 'admin.password_changed',
    target: actor.email,
    details: { endedSessions },
  });
  return { ok: true, endedSessions };
}

/**
 * `npm run admin -- reset-password`: a new password from the server's command line, every session ended, and
 * two-factor sign-in turned off (the way back for an admin who lost the phone and the recovery codes; access to the
 * server's shell is the proof here).
 */
export async function resetPassword(db: Db, adminId: string, email: string, password: string): Promise<number> {
  await setPasswordHash(db, adminId, await hashPassword(password));
  await disableTotp(db, adminId);
  const endedSessions = await endSessionsOf(db, adminId);
  await recordAuditEvent(db, {
    adminId: null,
    adminEmail: null,
    action: 'admin.password_reset',
    target: email,
    details: { via: 'command line', endedSessions },
  });
  return endedSessions;
}
