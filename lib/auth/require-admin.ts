import 'server-only';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { auth } from '@/lib/auth/config';
import { safeReturnPath } from '@/lib/auth/return-path';
import { hasTwoFactor, twoFactorRequired } from '@/lib/auth/two-factor';
import { getDb } from '@/lib/db';
import { countAdmins, findAdminById } from '@/lib/db/queries/admins';

export interface SignedInAdmin {
  id: string;
  email: string;
  name: string | null;
  /** Signs in with a second factor (lib/auth/two-factor.ts). */
  twoFactor?: boolean;
}

// Where an admin without a second factor sets one up when REQUIRE_TWO_FACTOR is on; nothing else opens until then.
export const ENROLMENT_PATH = '/administrators';

/** Where to send an admin first, or null: the set-up of the second factor when it is required and missing. */
export function secondFactorDetour(
  admin: Pick<SignedInAdmin, 'twoFactor'>,
  required: boolean,
  requestedPath: string | null,
): string | null {
  if (admin.twoFactor || !required) return null;
  const path = new URL(requestedPath || '/', 'http://same.origin').pathname;
  return path === ENROLMENT_PATH ? null : `${ENROLMENT_PATH}#two-factor`;
}

/** The signed-in admin, or null. The admin must still exist: a removed admin's session stops working. */
export async function currentAdmin(): Promise<SignedInAdmin | null> {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const admin = await findAdminById(await getDb(), id);
  return admin ? { id: admin.id, email: admin.email, name: admin.name, twoFactor: hasTwoFactor(admin) } : null;
}

/**
 * For pages, layouts and server actions (a server action is a public POST endpoint, so each one calls this).
 * Sends the browser to /setup while no admin exists, else to sign-in, which returns to the page asked for.
 */
export async function requireAdmin(): Promise<SignedInAdmin> {
  const admin = await currentAdmin();
  if (admin) {
    const detour = secondFactorDetour(admin, twoFactorRequired(), (await headers()).get('x-mailgate-requested-path'));
    if (detour) redirect(detour);
    return admin;
  }
  if ((await countAdmins(await getDb())) === 0) redirect('/setup');
  // Set by proxy.ts from the request's own URL, so it is always a path on this site.
  const asked = safeReturnPath((await headers()).get('x-mailgate-requested-path'));
  redirect(asked ? `/sign-in?next=${encodeURIComponent(asked)}` : '/sign-in');
}
