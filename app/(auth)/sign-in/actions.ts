'use server';
import { AuthError } from 'next-auth';
import { signIn } from '@/lib/auth/config';
import { signInSchema } from '@/lib/auth/credentials';
import { isRedirectSignal, rememberDevice } from '@/lib/auth/remember-device';
import { returnPathOrHome } from '@/lib/auth/return-path';
import { echoValues, fieldErrorsOf, type FormState } from '@/lib/form-state';

export async function signInWithPassword(_: FormState, form: FormData): Promise<FormState> {
  const values = echoValues(form, ['password']);
  const input = signInSchema.safeParse({ email: form.get('email'), password: form.get('password') });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };
  try {
    await signIn('credentials', { ...input.data, redirectTo: returnPathOrHome(form.get('next')) });
    return { ok: true };
  } catch (error) {
    // A successful sign-in "throws" Next's redirect; only Auth.js's own errors are failures here.
    if (!(error instanceof AuthError)) {
      if (isRedirectSignal(error)) await rememberDevice(input.data.email);
      throw error;
    }
    const rateLimited = 'code' in error && error.code === 'rate_limited';
    return {
      ok: false,
      values,
      message: rateLimited
        ? 'Too many failed sign-ins from here. Wait a minute and try again; each further failure doubles the wait.'
        : 'That e-mail and password do not match an administrator.',
    };
  }
}
