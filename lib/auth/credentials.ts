import 'server-only';
import { z } from 'zod';
import { getEnv } from '@/lib/config/env';
import { getDb, type Db } from '@/lib/db';
import { findAdminByEmail, findAdminById, recordSignIn, type Admin } from '@/lib/db/queries/admins';
import { decoyHash, verifyPassword } from '@/lib/auth/password';
import { knownDeviceOf } from '@/lib/auth/known-device';
import { forgiveAttempt, reserveAttempt, type SignInOrigin } from '@/lib/auth/rate-limit';
import {
  checkSecondFactor,
  hasTwoFactor,
  issueSecondFactorTicket,
  openSecondFactorTicket,
} from '@/lib/auth/two-factor';
import { clientAddress } from '@/lib/http/client-address';

export const signInSchema = z.object({
  email: z.email('Enter the e-mail address you set up the console with.').transform((v) => v.toLowerCase()),
  password: z
    .string('Enter your password.')
    .min(1, 'Enter your password.')
    .max(1024, 'A password is at most 1,024 characters.'),
});

const secondStepSchema = z.object({
  ticket: z.string().min(1).max(200),
  code: z.string().trim().min(1, 'Enter the code from your authenticator app.').max(20),
});

export type SignInResult =
  | { ok: true; admin: { id: string; email: string; name: string | null }; client: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'code_required'; ticket: string }
  | { ok: false; reason: 'rate_limited'; retryAt: Date };

/** The address a request is counted against, by the deployment's proxy settings. */
export function requestClientAddress(headers: Headers): string {
  const env = getEnv();
  return clientAddress(headers, { trustedProxyHops: env.TRUSTED_PROXY_HOPS, onVercel: process.env.VERCEL === '1' });
}

function originOf(headers: Headers, email: string, admin: Admin | undefined): SignInOrigin {
  return {
    email,
    client: requestClientAddress(headers),
    device: knownDeviceOf(headers, admin?.id, getEnv().AUTH_SECRET),
  };
}

async function signedIn(db: Db, admin: Admin, origin: SignInOrigin): Promise<SignInResult> {
  await forgiveAttempt(db, origin);
  await recordSignIn(db, admin.id);
  return { ok: true, admin: { id: admin.id, email: admin.email, name: admin.name }, client: origin.client };
}

/**
 * Checks an e-mail and password (then, for an admin with two-factor sign-in, a code). Every attempt is reserved
 * in the throttle first, in one statement, so however many guesses arrive at once, no more than the throttle
 * allows reach the password or code check. Until the whole sign-in succeeds, the attempt stays counted.
 */
export async function checkCredentials(input: unknown, headers: Headers): Promise<SignInResult> {
  const second = secondStepSchema.safeParse(input);
  if (second.success) return checkSecondStep(second.data, headers);
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  const { email, password } = parsed.data;
  const db = await getDb();
  const admin = await findAdminByEmail(db, email);
  const origin = originOf(headers, email, admin);
  const reservation = await reserveAttempt(db, origin);
  if (!reservation.ok) return { ok: false, reason: 'rate_limited', retryAt: reservation.retryAt };

  const valid = await verifyPassword(password, admin?.passwordHash ?? (await decoyHash()));
  if (!admin || !valid) return { ok: false, reason: 'invalid' };
  if (hasTwoFactor(admin)) return { ok: false, reason: 'code_required', ticket: issueSecondFactorTicket(admin.id) };
  return signedIn(db, admin, origin);
}

async function checkSecondStep(input: { ticket: string; code: string }, headers: Headers): Promise<SignInResult> {
  const adminId = openSecondFactorTicket(input.ticket);
  if (!adminId) return { ok: false, reason: 'invalid' };
  const db = await getDb();
  const admin = await findAdminById(db, adminId);
  if (!admin || !hasTwoFactor(admin)) return { ok: false, reason: 'invalid' };
  // The same buckets as the password: codes cannot be guessed faster than passwords.
  const origin = originOf(headers, admin.email, admin);
  const reservation = await reserveAttempt(db, origin);
  if (!reservation.ok) return { ok: false, reason: 'rate_limited', retryAt: reservation.retryAt };
  if (!(await checkSecondFactor(db, admin, input.code))) return { ok: false, reason: 'invalid' };
  return signedIn(db, admin, origin);
}
