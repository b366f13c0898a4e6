import 'server-only';
import { z } from 'zod';
import { getEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db';
import { findAdminByEmail, recordSignIn } from '@/lib/db/queries/admins';
import { decoyHash, verifyPassword } from '@/lib/auth/password';
import { knownDeviceOf } from '@/lib/auth/known-device';
import { forgiveAttempt, reserveAttempt } from '@/lib/auth/rate-limit';
import { clientAddress } from '@/lib/http/client-address';

export const signInSchema = z.object({
  email: z.email('Enter the e-mail address you set up the console with.').transform((v) => v.toLowerCase()),
  password: z
    .string('Enter your password.')
    .min(1, 'Enter your password.')
    .max(1024, 'A password is at most 1,024 characters.'),
});

export type SignInResult =
  | { ok: true; admin: { id: string; email: string; name: string | null }; client: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAt: Date };

/** The address a request is counted against, by the deployment's proxy settings. */
export function requestClientAddress(headers: Headers): string {
  const env = getEnv();
  return clientAddress(headers, { trustedProxyHops: env.TRUSTED_PROXY_HOPS, onVercel: process.env.VERCEL === '1' });
}

/**
 * Checks an e-mail and password. The attempt is reserved in the throttle first, in one statement, so however
 * many guesses arrive at once, no more than the throttle allows reach the password check.
 */
export async function checkCredentials(input: unknown, headers: Headers): Promise<SignInResult> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  const { email, password } = parsed.data;
  const db = await getDb();
  const admin = await findAdminByEmail(db, email);
  const origin = {
    email,
    client: requestClientAddress(headers),
    device: knownDeviceOf(headers, admin?.id, getEnv().AUTH_SECRET),
  };
  const reservation = await reserveAttempt(db, origin);
  if (!reservation.ok) return { ok: false, reason: 'rate_limited', retryAt: reservation.retryAt };

  const valid = await verifyPassword(password, admin?.passwordHash ?? (await decoyHash()));
  if (!admin || !valid) return { ok: false, reason: 'invalid' };
  await forgiveAttempt(db, origin);
  await recordSignIn(db, admin.id);
  return { ok: true, admin: { id: admin.id, email: admin.email, name: admin.name }, client: origin.client };
}
