'use server';
import { AuthError } from 'next-auth';
import { signIn } from '@/lib/auth/config';
import { setUpFirstAdmin, setupSchema } from '@/lib/auth/setup';
import { isSetupToken, setupTokenRequired } from '@/lib/auth/setup-token';
import { getEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db';
import { countAdmins } from '@/lib/db/queries/admins';
import { echoValues, fieldErrorsOf, type FormState } from '@/lib/form-state';

const WRONG_TOKEN =
  'That is not this server’s set-up token. Copy it from the server log line “Set-up token for the first administrator”.';

/** Creates the first admin and signs them in. Refused for good once any admin exists. */
export async function createFirstAdmin(_: FormState, form: FormData): Promise<FormState> {
  const values = echoValues(form, ['password', 'confirmPassword']);
  const input = setupSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };

  const db = await getDb();
  const closed = { ok: false, message: 'Set-up is closed: an administrator already exists. Sign in instead.' };
  if ((await countAdmins(db)) > 0) return closed;
  if (setupTokenRequired() && !isSetupToken(form.get('setupToken'), getEnv().AUTH_SECRET))
    return { ok: false, fieldErrors: { setupToken: [WRONG_TOKEN] }, values };
  const admin = await setUpFirstAdmin(db, input.data);
  if (!admin) return closed;
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
