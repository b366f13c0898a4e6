'use server';
import { AuthError } from 'next-auth';
import { acceptInvite, acceptInviteSchema } from '@/lib/admins/invites';
import { signIn } from '@/lib/auth/config';
import { isRedirectSignal, rememberDevice } from '@/lib/auth/remember-device';
import { getDb } from '@/lib/db';
import { fieldErrorsOf, echoValues, type FormState } from '@/lib/form-state';

/** Public by design (the link's token is the credential): creates the invited admin and signs them in. */
export async function acceptAdminInvite(_: FormState, form: FormData): Promise<FormState> {
  const values = echoValues(form, ['password', 'confirmPassword', 'token']);
  const input = acceptInviteSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };
  const result = await acceptInvite(await getDb(), form.get('token'), input.data);
  if (!result.ok) {
    return {
      ok: false,
      values,
      message:
        result.reason === 'exists'
          ? 'That e-mail already belongs to an administrator: sign in instead.'
          : 'This invitation was used already, withdrawn, or it expired. Ask for a new link.',
    };
  }
  try {
    await signIn('credentials', {
      email: result.admin.email,
      password: input.data.password,
      redirectTo: '/channels/microsoft365',
    });
  } catch (error) {
    if (!(error instanceof AuthError)) {
      if (isRedirectSignal(error)) await rememberDevice(result.admin.email);
      throw error;
    }
    return { ok: true, message: 'Your administrator account is ready. Sign in to continue.' };
  }
  return { ok: true };
}
