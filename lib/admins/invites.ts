import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { findAdminByEmail } from '@/lib/db/queries/admins';
import {
  acceptAdminInvite,
  findUsableInvite,
  insertAdminInvite,
  listPendingInvites,
  revokeAdminInvite,
  type AdminInvite,
} from '@/lib/db/queries/admin-invites';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { hashPassword } from '@/lib/auth/password';
import { adminEmailSchema, displayNameSchema, newPasswordSchema } from '@/lib/admins/password-rules';
import type { SignedInAdmin } from '@/lib/auth/require-admin';

export const INVITE_LIFETIME_HOURS = 48;

export const inviteSchema = z.object({ email: adminEmailSchema });

export const acceptInviteSchema = z
  .object({ name: displayNameSchema, password: newPasswordSchema, confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match.',
  });

/** Only this hash is stored: the database alone cannot be turned into a working link. */
function tokenHashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function invitePath(token: string): string {
  return `/invite/${token}`;
}

/** A link's token has this shape; anything else is refused before the database is asked. */
export function isInviteTokenShape(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}

export async function inviteAdmin(
  db: Db,
  actor: SignedInAdmin,
  email: string,
  now = new Date(),
): Promise<{ ok: true; token: string; invite: AdminInvite } | { ok: false; reason: 'exists' }> {
  if (await findAdminByEmail(db, email)) return { ok: false, reason: 'exists' };
  const token = randomBytes(32).toString('base64url');
  const invite = await insertAdminInvite(db, {
    tokenHash: tokenHashOf(token),
    email,
    invitedBy: actor.id,
    expiresAt: new Date(now.getTime() + INVITE_LIFETIME_HOURS * 3600_000),
  });
  await recordAuditEvent(db, {
    adminId: actor.id,
    adminEmail: actor.email,
    action: 'admin.invited',
    target: email,
    details: { expiresAt: invite.expiresAt.toISOString() },
  });
  return { ok: true, token, invite };
}

export async function withdrawInvite(db: Db, actor: SignedInAdmin, id: string, now = new Date()): Promise<boolean> {
  const invite = await revokeAdminInvite(db, id, now);
  if (!invite) return false;
  await recordAuditEvent(db, {
    adminId: actor.id,
    adminEmail: actor.email,
    action: 'admin.invite_withdrawn',
    target: invite.email,
  });
  return true;
}

export function pendingInvites(db: Db, now = new Date()): Promise<AdminInvite[]> {
  return listPendingInvites(db, now);
}

export async function inviteFromLink(db: Db, token: unknown, now = new Date()): Promise<AdminInvite | undefined> {
  if (!isInviteTokenShape(token)) return undefined;
  return findUsableInvite(db, tokenHashOf(token), now);
}

export async function acceptInvite(
  db: Db,
  token: unknown,
  input: { name: string; password: string },
  now = new Date(),
) {
  if (!isInviteTokenShape(token)) return { ok: false as const, reason: 'invalid' as const };
  const result = await acceptAdminInvite(db, {
    tokenHash: tokenHashOf(token),
    now,
    name: input.name || null,
    passwordHash: await hashPassword(input.password),
  });
  if (result.ok) {
    await recordAuditEvent(db, {
      adminId: result.admin.id,
      adminEmail: result.admin.email,
      action: 'admin.joined',
      target: result.admin.email,
      details: { invitedBy: result.invite.invitedBy },
    });
  }
  return result;
}
