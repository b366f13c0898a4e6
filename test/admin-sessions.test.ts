import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, configureTestEnvironment, type TestDatabase } from '@/test/support/database';

let target: TestDatabase;
let modules: {
  db: import('@/lib/db').Db;
  handlers: typeof import('@/lib/auth/config').handlers;
  sessions: typeof import('@/lib/auth/sessions');
  NextRequest: typeof import('next/server').NextRequest;
  closeDatabase: () => Promise<void>;
};

const ORIGIN = 'http://localhost:3000';
const ADMIN = { email: 'owner@example.com', password: 'correct horse battery' };
let adminId = '';

beforeAll(async () => {
  target = await createTestDatabase();
  configureTestEnvironment(target.url, { AUTH_URL: `${ORIGIN}/api/auth` });
  const dbModule = await import('@/lib/db');
  const db = await dbModule.getDb();
  const { setUpFirstAdmin } = await import('@/lib/auth/setup');
  adminId = (await setUpFirstAdmin(db, { ...ADMIN, name: 'Owner' }))?.id ?? '';
  modules = {
    db,
    handlers: (await import('@/lib/auth/config')).handlers,
    sessions: await import('@/lib/auth/sessions'),
    NextRequest: (await import('next/server')).NextRequest,
    closeDatabase: dbModule.closeDatabase,
  };
});

afterEach(() => vi.useRealTimers());

afterAll(async () => {
  await modules?.closeDatabase();
  await target?.drop();
});

/** A browser's cookie jar, fed by Set-Cookie answers as Auth.js sends them. */
class Jar {
  cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', ...value] = pair.split('=');
      const gone = /max-age=0|expires=thu, 01 jan 1970/i.test(line);
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value.join('='));
    }
  }
  header() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

async function call(jar: Jar, method: 'GET' | 'POST', path: string, form?: Record<string, string>) {
  const request = new modules.NextRequest(`${ORIGIN}/api/auth/${path}`, {
    method,
    headers: {
      cookie: jar.header(),
      'user-agent': 'Mozilla/5.0 (test browser)',
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  const response = await (method === 'GET' ? modules.handlers.GET : modules.handlers.POST)(request);
  jar.take(response);
  return response;
}

async function csrf(jar: Jar) {
  return ((await (await call(jar, 'GET', 'csrf')).json()) as { csrfToken: string }).csrfToken;
}

async function signIn(jar = new Jar()) {
  await call(jar, 'POST', 'callback/credentials', { ...ADMIN, csrfToken: await csrf(jar) });
  expect(jar.cookies.has('authjs.session-token')).toBe(true);
  return jar;
}

async function sessionOf(cookie: string) {
  const jar = new Jar();
  jar.cookies.set('authjs.session-token', cookie);
  const body = (await (await call(jar, 'GET', 'session')).json()) as { user?: { email?: string } } | null;
  return { email: body?.user?.email, jar };
}

describe('server-side admin sessions', () => {
  it('refuses the old cookie after sign-out', async () => {
    const jar = await signIn();
    const copied = jar.cookies.get('authjs.session-token') ?? '';
    expect((await sessionOf(copied)).email).toBe(ADMIN.email);
    await call(jar, 'POST', 'signout', { csrfToken: await csrf(jar) });
    expect((await sessionOf(copied)).email).toBeUndefined();
  });

  it('stops renewing at the absolute lifetime (7 days), however often the session is read', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-03-02T08:00:00Z') });
    const start = Date.now();
    const jar = await signIn();
    let cookie = jar.cookies.get('authjs.session-token') ?? '';
    let lastGood = 0;
    // Every 7 hours, inside the 8-hour idle timeout: each read re-issues the cookie with a fresh expiry.
    for (let hours = 7; hours <= 8 * 24; hours += 7) {
      vi.setSystemTime(start + hours * 3600_000);
      const { email, jar: next } = await sessionOf(cookie);
      if (!email) break;
      lastGood = hours;
      cookie = next.cookies.get('authjs.session-token') ?? cookie;
    }
    expect(lastGood).toBe(161); // the last 7-hour step before 168 hours
  });

  it('ends a session left idle longer than the idle timeout (8 hours)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-04-01T08:00:00Z') });
    const jar = await signIn();
    const cookie = jar.cookies.get('authjs.session-token') ?? '';
    vi.setSystemTime(Date.now() + 7.9 * 3600_000);
    const alive = await sessionOf(cookie);
    expect(alive.email).toBe(ADMIN.email);
    const renewed = alive.jar.cookies.get('authjs.session-token') ?? '';
    vi.setSystemTime(Date.now() + 8.1 * 3600_000);
    expect((await sessionOf(renewed)).email).toBeUndefined();
  });

  it('ends every other session of an admin and keeps the one that asked', async () => {
    const here = await signIn();
    const there = await signIn();
    const hereCookie = here.cookies.get('authjs.session-token') ?? '';
    const live = await modules.sessions.liveSessions(modules.db);
    expect(live.length).toBeGreaterThanOrEqual(2);
    expect(live[0]?.userAgent).toBe('Mozilla/5.0 (test browser)');
    const keep = live.find((s) => s.adminId === adminId)?.id;
    // The newest is `there`'s; keep it and end the rest.
    await modules.sessions.endSessionsOf(modules.db, adminId, keep);
    expect((await sessionOf(there.cookies.get('authjs.session-token') ?? '')).email).toBe(ADMIN.email);
    expect((await sessionOf(hereCookie)).email).toBeUndefined();
    await modules.sessions.endSessionsOf(modules.db, adminId);
    expect((await sessionOf(there.cookies.get('authjs.session-token') ?? '')).email).toBeUndefined();
  });

  it('refuses a validly sealed cookie that names no server-side session', async () => {
    const { encode } = await import('next-auth/jwt');
    const forged = await encode({
      token: { sub: adminId, email: ADMIN.email },
      secret: process.env.AUTH_SECRET ?? '',
      salt: 'authjs.session-token',
      maxAge: 600,
    });
    expect((await sessionOf(forged)).email).toBeUndefined();
  });
});
