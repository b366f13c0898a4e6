'use server';
import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { changeOwnPassword, changePasswordSchema } from '@/lib/admins/change-password';
import { invitePath, inviteAdmin, inviteSchema, withdrawInvite } from '@/lib/admins/invites';
import { removeAdministrator } from '@/lib/admins/remove';
import { signOutEverywhere } from '@/lib/admins/sign-out-everywhere';
import { currentSessionId, signOut } from '@/lib/auth/config';
import { verifyPassword } from '@/lib/auth/password';
import { confirmEnrolment, turnOffTwoFactor, twoFactorRequired } from '@/lib/auth/two-factor';
import { findAdminById } from '@/lib/db/queries/admins';
import { requireAdmin } from '@/lib/auth/require-admin';
import { publicBaseUrl } from '@/lib/config/base-url';
import { getDb } from '@/lib/db';
import { echoValues, fieldErrorsOf, type FormState } from '@/lib/form-state';

const PAGE = '/administrators';
const idSchema = z.object({ id: z.uuid() });

export type InviteState = FormState & { link?: string; email?: string };

// With REQUIRE_TWO_FACTOR, this page is the one an admin without a second factor may open (to set it up);
// changing who administers the console is not part of that.
function secondFactorMissing(admin: { twoFactor?: boolean }): FormState | null {
  return twoFactorRequired() && !admin.twoFactor
    ? { ok: false, message: 'Set up two-factor sign-in first: this console requires it.' }
    : null;
}

export async function inviteAdministrator(_: InviteState, form: FormData): Promise<InviteState> {
  const admin = await requireAdmin();
  const missing = secondFactorMissing(admin);
  if (missing) return missing;
  const values = echoValues(form);
  const input = inviteSchema.safeParse({ email: form.get('email') });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };
  const result = await inviteAdmin(await getDb(), admin, input.data.email);
  if (!result.ok) {
    return { ok: false, values, fieldErrors: { email: ['That e-mail already belongs to an administrator.'] } };
  }
  revalidatePath(PAGE);
  // Shown once: only a hash of the token is kept.
  const link = new URL(invitePath(result.token), publicBaseUrl(await headers())).toString();
  return {
    ok: true,
    link,
    email: input.data.email,
    message: `Invitation for ${input.data.email} created. Copy the link now: it is shown only once.`,
  };
}

export async function withdrawInvitation(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const missing = secondFactorMissing(admin);
  if (missing) return missing;
  const input = idSchema.safeParse({ id: form.get('id') });
  if (!input.success) return { ok: false, message: 'That invitation does not exist.' };
  const withdrawn = await withdrawInvite(await getDb(), admin, input.data.id);
  revalidatePath(PAGE);
  return withdrawn
    ? { ok: true, message: 'Invitation withdrawn: its link no longer works.' }
    : { ok: false, message: 'That invitation was already used, withdrawn or expired.' };
}

export async function removeAdministratorAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const missing = secondFactorMissing(admin);
  if (missing) return missing;
  const input = idSchema.safeParse({ id: form.get('id') });
  if (!input.success) return { ok: false, message: 'That administrator does not exist.' };
  if (form.get('confirm') !== 'yes') {
    return { ok: false, fieldErrors: { confirm: ['Tick the box to confirm the removal.'] } };
  }
  const outcome = await removeAdministrator(await getDb(), admin, input.data.id, form.get('confirmSelf') === 'yes');
  if (outcome === 'self_unconfirmed') {
    return {
      ok: false,
      fieldErrors: { confirmSelf: ['This is your own account: tick the second box too if you mean to remove it.'] },
    };
  }
  if (outcome === 'last') {
    return { ok: false, message: 'The console needs at least one administrator: invite another one first.' };
  }
  if (outcome === 'missing') return { ok: false, message: 'That administrator was already removed.' };
  if (input.data.id === admin.id) await signOut({ redirectTo: '/sign-in' });
  revalidatePath(PAGE);
  return { ok: true, message: 'Administrator removed and signed out everywhere.' };
}

export async function changeOwnPasswordAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const input = changePasswordSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error) };
  const result = await changeOwnPassword(await getDb(), admin, await currentSessionId(), input.data);
  if (!result.ok) return { ok: false, fieldErrors: { currentPassword: ['That is not your current password.'] } };
  revalidatePath(PAGE);
  return {
    ok: true,
    message:
      result.endedSessions > 0
        ? `Password changed. Your ${result.endedSessions} other session${result.endedSessions === 1 ? ' was' : 's were'} signed out.`
        : 'Password changed.',
  };
}

export async function signOutEverywhereAction(): Promise<void> {
  const admin = await requireAdmin();
  await signOutEverywhere(await getDb(), admin);
  await signOut({ redirectTo: '/sign-in' });
}

export type EnrolState = FormState & { recoveryCodes?: string[] };

export async function confirmTwoFactorAction(_: EnrolState, form: FormData): Promise<EnrolState> {
  const admin = await requireAdmin();
  const input = z
    .object({
      sealed: z.string().min(1).max(500),
      code: z
        .string()
        .trim()
        .regex(/^\d{3} ?\d{3}$/, 'Enter the 6-digit code your app shows now.'),
    })
    .safeParse({ sealed: form.get('sealed'), code: form.get('code') });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error) };
  const result = await confirmEnrolment(await getDb(), admin, input.data.sealed, input.data.code);
  if (!result.ok) {
    return result.reason === 'wrong_code'
      ? { ok: false, fieldErrors: { code: ['That code does not match: check the app’s clock and try the next code.'] } }
      : { ok: false, message: 'This form is out of date: reload the page and scan the new code.' };
  }
  // No revalidation: the page would re-render without the form that shows the recovery codes, the only time.
  return {
    ok: true,
    message: 'Two-factor sign-in is on. Keep these recovery codes somewhere safe: they are shown only now.',
    recoveryCodes: result.recoveryCodes,
  };
}

export async function turnOffTwoFactorAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  if (twoFactorRequired()) {
    return { ok: false, message: 'Two-factor sign-in is required for every administrator here (REQUIRE_TWO_FACTOR).' };
  }
  const password = z.string().min(1).max(1024).safeParse(form.get('currentPassword'));
  const db = await getDb();
  const me = await findAdminById(db, admin.id);
  if (!password.success || !me || !(await verifyPassword(password.data, me.passwordHash))) {
    return { ok: false, fieldErrors: { currentPassword: ['That is not your current password.'] } };
  }
  await turnOffTwoFactor(db, admin);
  revalidatePath(PAGE);
  return { ok: true, message: 'Two-factor sign-in is off.' };
}
