import 'server-only';
import type { NextAuthConfig } from 'next-auth';
import { logger } from '@/lib/logger';

/**
 * A refused sign-in is an answer, not a server error: one warn line, no stack. Recognised by the `type` Auth.js
 * stamps on each of its errors ("CredentialsSignin", inherited by subclasses such as the rate-limit refusal):
 * `error.name` is the constructor's name, which the production bundle minifies (it logged as "c"), so comparing
 * names let every wrong password through as an ERROR with a stack trace.
 * nextauthjs/next-auth: packages/core/src/errors.ts (AuthError.type, "used to identify the error in the logs",
 * set from each class's static `type`, which a subclass inherits).
 * Auth.js gives the logger no request: the attempted e-mail and the client IP are recorded per attempt by the
 * throttle (lib/auth/credentials.ts), which is where an admin sees which account is being guessed. The e-mail is
 * kept out of the log line on purpose: people type their password into the e-mail field.
 * (OWASP Logging Cheat Sheet: log authentication failures, never passwords.)
 */
export const authLogger: NonNullable<NextAuthConfig['logger']> = {
  error(error) {
    if (isRefusedSignIn(error)) {
      logger('auth').warn({ event: 'sign_in_refused', reason: signInReason(error) }, 'sign-in refused');
      return;
    }
    logger('auth').error({ err: error }, 'auth error');
  },
  // Not under the key `code`: the logger redacts that one everywhere (an OAuth authorization code).
  warn(code) {
    logger('auth').warn({ warning: code }, 'auth warning');
  },
};

export function isRefusedSignIn(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'CredentialsSignin';
}

/** "credentials" (wrong e-mail or password) or the subclass's own code, e.g. "rate_limited"; never free text. */
function signInReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[a-z_]{1,40}$/.test(code) ? code : 'credentials';
}
