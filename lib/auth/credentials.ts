import 'server-only';
import { z } from 'zod';
import { getDb } from '@/lib/db';
import { findAdminByEmail, recordSignIn } from '@/lib/db/queries/admins';
import { forgetAttemptsBefore, recordSignInAttempt } from '@/lib/db/queries/sign-in-attempts';
import { decoyHash, verifyPassword } from '@/lib/auth/password';
import { clientIp, SIGN_IN_WINDOW_MS, signInBlocked } from '@/lib/auth/rate-limit';

export const signInSchema = z.object({
  email: z.email('Enter the e-mail address you set up the console with.').transform((v) => v.toLowerCase()),
  password: z
    .string('Enter your password.')
    .min(1, 'Enter your password.')
    .max(1024, 'A password is at most 1,024 characters.'),
});

export type SignInResult =
  | { ok: true; admin: { id: string; email: string; name: string | null } }
  | { ok: false; reason: 'invalid' | 'rate_limited' };

/** Checks an e-mail and password, counting failures in the database so the limit holds across instances. */
export async function checkCredentials(input: unknown, headers: Headers): Promise<SignInResult> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  const { email, password } = parsed.data;
  const ip = clientIp(headers);
  const db = await getDb();
  if (await signInBlocked(db, email, ip)) return { ok: false, reason: 'rate_limited' };

  const admin = await findAdminByEmail(db, email);
  const valid = await verifyPassword(password, admin?.passwordHash ?? (await decoyHash()));
  await recordSignInAttempt(db, { email, ip, succeeded: Boolean(admin && valid) });
  // Only the last window counts; older attempts would only grow the table.
  await forgetAttemptsBefore(db, new Date(Date.now() - SIGN_IN_WINDOW_MS));
  if (!admin || !valid) return { ok: false, reason: 'invalid' };
  await recordSignIn(db, admin.id);
  return { ok: true, admin: { id: admin.id, email: admin.email, name: admin.name } };
}
