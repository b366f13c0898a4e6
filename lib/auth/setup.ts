import 'server-only';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { createFirstAdmin, countAdmins } from '@/lib/db/queries/admins';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { hashPassword } from '@/lib/auth/password';

export const setupSchema = z
  .object({
    name: z
      .string()
      .trim()
      .max(100, 'Keep the name under 100 characters.')
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Use letters and spaces only: no control characters.')
      .optional()
      .default(''),
    email: z
      .email('Enter a valid e-mail address.')
      .max(254, 'Use an e-mail address of at most 254 characters.')
      .transform((v) => v.toLowerCase()),
    password: z
      .string('Choose a password of at least 12 characters.')
      .min(12, 'Use at least 12 characters.')
      .max(1024, 'Use at most 1,024 characters.'),
    confirmPassword: z.string('Type the password again to confirm it.'),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The passwords do not match.',
  });

export type SetupInput = z.infer<typeof setupSchema>;

/** Creates the first admin; returns null once any admin exists (set-up is closed for good). */
export async function setUpFirstAdmin(db: Db, input: Pick<SetupInput, 'email' | 'name' | 'password'>) {
  const admin = await createFirstAdmin(db, {
    email: input.email,
    name: input.name || null,
    passwordHash: await hashPassword(input.password),
  });
  if (admin) {
    await recordAuditEvent(db, { adminId: admin.id, adminEmail: admin.email, action: 'admin.created_first' });
  }
  return admin ?? null;
}

/** ADMIN_EMAIL/ADMIN_PASSWORD create the first admin at start-up, for deployments without a browser step. */
export async function seedAdminFromEnv(db: Db, env: { ADMIN_EMAIL?: string; ADMIN_PASSWORD?: string }) {
  if (!env.ADMIN_EMAIL || !env.ADMIN_PASSWORD) return;
  if ((await countAdmins(db)) > 0) return;
  await setUpFirstAdmin(db, { email: env.ADMIN_EMAIL.toLowerCase(), name: '', password: env.ADMIN_PASSWORD });
}
