// next-auth re-exports these from @auth/core (next-auth itself needs Next's runtime to load).
import { CredentialsSignin } from '@auth/core/errors';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const lines = vi.hoisted(() => ({ error: [] as unknown[][], warn: [] as unknown[][] }));
vi.mock('@/lib/logger', () => ({
  logger: () => ({
    error: (...args: unknown[]) => lines.error.push(args),
    warn: (...args: unknown[]) => lines.warn.push(args),
  }),
}));

const { authLogger } = await import('@/lib/auth/auth-logger');

/** As the production bundle leaves them: every class renamed to a letter, so `error.name` says nothing. */
function minified<T extends Error>(error: T): T {
  Object.defineProperty(error, 'name', { value: 'c' });
  return error;
}

beforeEach(() => {
  lines.error.length = 0;
  lines.warn.length = 0;
});

describe('the Auth.js logger', () => {
  it('logs a wrong password as one warn line without a stack, even when the bundle renamed the class', () => {
    const error = minified(new CredentialsSignin());
    expect(error.name).not.toBe('CredentialsSignin');
    authLogger.error?.(error);
    expect(lines.error).toEqual([]);
    expect(lines.warn).toEqual([[{ event: 'sign_in_refused', reason: 'credentials' }, 'sign-in refused']]);
  });

  it('logs a throttled sign-in the same way, with its code', () => {
    // lib/auth/config.ts SignInRateLimited, as minified.
    class a extends CredentialsSignin {
      override code = 'rate_limited';
    }
    authLogger.error?.(minified(new a()));
    expect(lines.error).toEqual([]);
    expect(lines.warn).toEqual([[{ event: 'sign_in_refused', reason: 'rate_limited' }, 'sign-in refused']]);
  });

  it('keeps real failures, and errors that merely call themselves CredentialsSignin, in the error log', () => {
    const impostor = Object.assign(new Error('database down'), { name: 'CredentialsSignin' });
    authLogger.error?.(impostor as never);
    expect(lines.error).toHaveLength(1);
    expect(lines.warn).toEqual([]);
  });
});
