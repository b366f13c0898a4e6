import { createActionURL } from '@auth/core';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alignServerUrls, publicBaseUrl, redirectBaseUrl } from '@/lib/config/base-url';
import { getEnv } from '@/lib/config/env';

const KEYS = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  AUTH_SECRET: randomBytes(32).toString('base64'),
};
const SPOOFED = new Headers({
  host: 'console.internal:3000',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
});

/** A fresh process environment for getEnv (it reads process.env once and keeps it). */
function deployment(vars: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries({ ...KEYS, AUTH_URL: undefined, NEXTAUTH_URL: undefined, ...vars }))
    vi.stubEnv(name, value);
  delete (globalThis as { __mailgateEnv?: unknown }).__mailgateEnv;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  delete (globalThis as { __mailgateEnv?: unknown }).__mailgateEnv;
});

describe('the public URL of OAuth redirect URIs', () => {
  it('is APP_BASE_URL in production, whatever Host and X-Forwarded-Host say', () => {
    deployment({ NODE_ENV: 'production', APP_BASE_URL: 'https://mail.example.com' });
    expect(publicBaseUrl(SPOOFED)).toBe('https://mail.example.com');
  });

  it("defaults to the Vercel project's production domain", () => {
    deployment({
      NODE_ENV: 'production',
      VERCEL: '1',
      VERCEL_ENV: 'production',
      VERCEL_PROJECT_PRODUCTION_URL: 'mailgate.vercel.app',
    });
    expect(publicBaseUrl(SPOOFED)).toBe('https://mailgate.vercel.app');
    expect(redirectBaseUrl(SPOOFED)).toEqual({ ok: true, url: 'https://mailgate.vercel.app' });
  });

  it('is required in production: the server refuses to start without it, and no request falls back to headers', () => {
    deployment({ NODE_ENV: 'production' });
    expect(() => alignServerUrls(getEnv(), { NODE_ENV: 'production' })).toThrow(
      /^Invalid configuration: APP_BASE_URL is required in production/,
    );
    expect(() => publicBaseUrl(SPOOFED)).toThrow(/APP_BASE_URL is not set/);
  });

  it('comes from the Host header in development, never X-Forwarded-Host, with a warning to set APP_BASE_URL', () => {
    deployment({ NODE_ENV: 'development' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    delete (globalThis as { __mailgateBaseUrlWarned?: boolean }).__mailgateBaseUrlWarned;
    expect(publicBaseUrl(SPOOFED)).toBe('http://console.internal:3000');
    expect(publicBaseUrl(new Headers({ host: 'evil.example/path?x' }))).toBe('http://localhost:3000');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('APP_BASE_URL is not set');
  });

  it('is refused on a preview deployment, which cannot receive Microsoft’s sign-ins', () => {
    deployment({
      NODE_ENV: 'production',
      VERCEL: '1',
      VERCEL_ENV: 'preview',
      VERCEL_PROJECT_PRODUCTION_URL: 'mailgate.vercel.app',
    });
    expect(redirectBaseUrl(SPOOFED)).toMatchObject({
      ok: false,
      error: {
        code: 'deployment.preview',
        message: /This is a preview deployment: mailboxes cannot be connected here/,
      },
    });
  });
});

describe('Auth.js', () => {
  it('builds its URLs from the same origin, not from X-Forwarded-Host', () => {
    deployment({ NODE_ENV: 'production', APP_BASE_URL: 'https://mail.example.com' });
    const processEnv: NodeJS.ProcessEnv = { NODE_ENV: 'production' };
    alignServerUrls(getEnv(), processEnv);
    expect(processEnv.AUTH_URL).toBe('https://mail.example.com');
    const url = createActionURL('signin', 'https:', SPOOFED, processEnv, { basePath: '/api/auth' } as never);
    expect(url.origin).toBe('https://mail.example.com');
  });

  it('refuses an AUTH_URL that names another origin', () => {
    deployment({ NODE_ENV: 'production', APP_BASE_URL: 'https://mail.example.com' });
    expect(() => alignServerUrls(getEnv(), { NODE_ENV: 'production', AUTH_URL: 'https://other.example.com' })).toThrow(
      /AUTH_URL names another origin than APP_BASE_URL/,
    );
  });
});
