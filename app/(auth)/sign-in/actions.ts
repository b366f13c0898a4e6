'use server';
import { AuthError } from 'next-auth';
import { z } from 'zod';
import { signIn } from '@/lib/auth/config';
import { signInSchema } from '@/lib/auth/credentials';
import { isRedirectSignal, rememberDevice } from '@/lib/auth/remember-device';
import { returnPathOrHome } from '@/lib/auth/return-path';
import { echoValues, fieldErrorsOf, type FormState } from '@/lib/form-state';

/** The sign-in form's state: after a right password, a ticket for the second step when the admin has two-factor. */
export type SignInState = FormState & { ticket?: string };

const codeSchema = z.object({
  ticket: z.string().min(1).max(200),
  code: z.string().trim().min(1, 'Enter the 6-digit code from your app, or a recovery code.').max(20),
});

export async function signInWithPassword(_: SignInState, form: FormData): Promise<SignInState> {
  const values = echoValues(form, ['password', 'code', 'ticket']);
  const secondStep = form.has('ticket');
  const input = secondStep
    ? codeSchema.safeParse({ ticket: form.get('ticket'), code: form.get('code') })
    : signInSchema.safeParse({ email: form.get('email'), password: form.get('password') });
  const ticket = secondStep ? String(form.get('ticket')) : undefined;
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values, ticket };
  try {
    await signIn('credentials', { ...input.data, redirectTo: returnPathOrHome(form.get('next')) });
    return { ok: true };
  } catch (error) {
    // A successful sign-in "throws" Next's redirect; only Auth.js's own errors are failures here.
    if (!(error instanceof AuthError)) {
      if (isRedirectSignal(error) && values.email) await rememberDevice(values.email);
      throw error;
    }
    const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
    if (code.startsWith('second_factor:')) return { ok: false, values, ticket: code.slice('second_factor:'.length) };
    if (code === 'rate_limited') {
      return {
        ok: false,
        values,
        ticket,
        message:
          'Too many failed sign-ins from here. Wait a minute and try again; each further failure doubles the wait.',
      };
    }
    return secondStep
      ? { ok: false, values, ticket, fieldErrors: { code: ['That code is not right, or was used already.'] } }
      : { ok: false, values, message: 'That e-mail and password do not match an administrator.' };
  }
}
