import 'server-only';
import { cookies, headers } from 'next/headers';
import { getEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db';
import { findAdminByEmail } from '@/lib/db/queries/admins';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE, issueDeviceToken, knownDeviceOf } from '@/lib/auth/known-device';

/** After a successful sign-in: marks this browser as a known device of that admin, unless it already is. */
export async function rememberDevice(email: string): Promise<void> {
  const env = getEnv();
  const admin = await findAdminByEmail(await getDb(), email);
  if (!admin || knownDeviceOf(await headers(), admin.id, env.AUTH_SECRET)) return;
  (await cookies()).set(DEVICE_COOKIE, issueDeviceToken(admin.id, env.AUTH_SECRET), {
    httpOnly: true,
    sameSite: 'lax',
    secure: (process.env.AUTH_URL ?? env.publicBaseUrl ?? '').startsWith('https:'),
    path: '/',
    maxAge: DEVICE_COOKIE_MAX_AGE,
  });
}

/** Next's redirect "error": what a successful signIn() throws from a server action. */
export function isRedirectSignal(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === 'string' && digest.startsWith('NEXT_REDIRECT');
}
