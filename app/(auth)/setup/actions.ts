'use server';
import { AuthError } from 'next-auth';
import { signIn } from '@/lib/auth/config';
import { setUpFirstAdmin, setupSchema } from '@/lib/auth/setup';
import { getDb } from '@/lib/db';
import { echoValues, fieldErrorsOf, type FormState } from '@/lib/form-state';

/** Creates the first admin and signs them in. Refused for good once any admin exists. */
export async function createFirstAdmin(_: FormState, form: FormData): Promise<FormState> {
  const values = echoValues(form, ['password', 'confirmPassword']);
  const input = setupSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };

  const admin = await setUpFirstAdmin(await getDb(), input.data);
  if (!admin) {
    return { ok: false, message: 'Set-up is closed: an administrator already exists. Sign in instead.' };
  }
  try {
    await signIn('credentials', {
      email: input.data.email,
      password: input.data.password,
      redirectTo: '/channels/microsoft365',
    });
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return { ok: true, message: 'Your administrator account is ready. Sign in to continue.' };
  }
  return { ok: true };
}
