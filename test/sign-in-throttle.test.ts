import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, configureTestEnvironment, type TestDatabase } from '@/test/support/database';

// Counts the passwords that reach scrypt: the race is about how many are checked, not only what is answered.
const checkedPasswords = vi.hoisted(() => ({ count: 0 }));
vi.mock('@/lib/auth/password', async (original) => {
  const actual = await original<typeof import('@/lib/auth/password')>();
  return {
    ...actual,
    verifyPassword: (password: string, stored: string) => {
      checkedPasswords.count += 1;
      return actual.verifyPassword(password, stored);
    },
  };
});

let target: TestDatabase;
let server: http.Server;
let origin = '';
let modules: {
  db: import('@/lib/db').Db;
  setup: typeof import('@/lib/auth/setup');
  credentials: typeof import('@/lib/auth/credentials');
  rateLimit: typeof import('@/lib/auth/rate-limit');
  device: typeof import('@/lib/auth/known-device');
  closeDatabase: () => Promise<void>;
};

const ADMIN = { email: 'owner@example.com', password: 'correct horse battery' };
let adminId = '';

beforeAll(async () => {
  target = await createTestDatabase();
  configureTestEnvironment(target.url);
  const dbModule = await import('@/lib/db');
  modules = {
    db: await dbModule.getDb(),
    setup: await import('@/lib/auth/setup'),
    credentials: await import('@/lib/auth/credentials'),
    rateLimit: await import('@/lib/auth/rate-limit'),
    device: await import('@/lib/auth/known-device'),
    closeDatabase: dbModule.closeDatabase,
  };
  adminId = (await modules.setup.setUpFirstAdmin(modules.db, { ...ADMIN, name: 'Owner' }))?.id ?? '';
  // A real HTTP server with the stamp the console installs at start: sign-ins see the socket address as Next's
  // route handlers would, and whatever forwarded headers the client makes up.
  const { installPeerAddressStamp } = await import('@/lib/http/peer-address');
  installPeerAddressStamp();
  server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers))
        if (typeof value === 'string') headers.set(name, value);
      modules.credentials
        .checkCredentials(JSON.parse(body), headers)
        .then((result) => response.end(JSON.stringify(result.ok ? { ok: true } : { ok: false, reason: result.reason })))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await modules?.closeDatabase();
  await target?.drop();
});

async function attempt(password: string, headers: Record<string, string> = {}, email = ADMIN.email) {
  const response = await fetch(origin, { method: 'POST', headers, body: JSON.stringify({ email, password }) });
  return (await response.json()) as { ok: boolean; reason?: string };
}

async function clearThrottle() {
  const { sql } = await import('drizzle-orm');
  await modules.db.execute(sql`delete from sign_in_throttle`);
}

describe('sign-in throttle', () => {
  it('checks at most five of 30 simultaneous guesses for one e-mail, rotating X-Forwarded-For changing nothing', async () => {
    await clearThrottle();
    checkedPasswords.count = 0;
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 20 ? ADMIN.password : `wrong guess ${i}`));
    const results = await Promise.all(
      guesses.map((password, i) =>
        attempt(password, {
          'x-forwarded-for': `198.51.100.${i}`,
          'x-real-ip': `203.0.113.${i}`,
          'x-mailgate-peer-address': `192.0.2.${i}`,
        }),
      ),
    );
    const answered = results.filter((r) => r.reason !== 'rate_limited');
    expect(answered.length).toBeGreaterThan(0);
    expect(checkedPasswords.count).toBe(answered.length);
    expect(checkedPasswords.count).toBeLessThanOrEqual(modules.rateLimit.FREE_PER_ACCOUNT);
    // The right password (#21) arrived after the allowance was used up: refused unchecked.
    expect(results[20]).toEqual({ ok: false, reason: 'rate_limited' });
  });

  it('does not slow the admin down from another address, whatever strangers did', async () => {
    // The previous test's guesses all came from 127.0.0.1 (this machine) however they were labelled.
    expect(await attempt(ADMIN.password)).toEqual({ ok: false, reason: 'rate_limited' });
    // Called directly, as the route would be for a request whose socket the stamp reported as 192.0.2.50.
    const elsewhere = new Headers({ 'x-mailgate-peer-address': '192.0.2.50' });
    const { checkCredentials } = modules.credentials;
    expect((await checkCredentials(ADMIN, elsewhere)).ok).toBe(true);
  });

  it('makes each attempt past the allowance wait longer: 30 s, then 1 min, then 2 min', async () => {
    await clearThrottle();
    const { reserveAttempt } = modules.rateLimit;
    const who = { email: 'x@example.com', client: '192.0.2.77' };
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const at = (seconds: number) => reserveAttempt(modules.db, who, new Date(t0 + seconds * 1000));
    for (let i = 0; i < 5; i += 1) expect((await at(0)).ok).toBe(true);
    expect(await at(1)).toEqual({ ok: false, retryAt: new Date(t0 + 30_000) });
    expect((await at(31)).ok).toBe(true);
    expect((await at(31 + 59)).ok).toBe(false);
    expect((await at(31 + 61)).ok).toBe(true);
    expect(await at(92 + 60)).toEqual({ ok: false, retryAt: new Date(t0 + (92 + 120) * 1000) });
    // A day without attempts forgets the bucket.
    expect((await at(92 + 24 * 3600 + 1)).ok).toBe(true);
  });

  it('slows an address that tries many e-mails, without touching other addresses', async () => {
    await clearThrottle();
    const { reserveAttempt, FREE_PER_CLIENT } = modules.rateLimit;
    const now = new Date();
    for (let i = 0; i < FREE_PER_CLIENT; i += 1) {
      expect((await reserveAttempt(modules.db, { email: `n${i}@example.com`, client: '192.0.2.9' }, now)).ok).toBe(
        true,
      );
    }
    expect((await reserveAttempt(modules.db, { email: 'new@example.com', client: '192.0.2.9' }, now)).ok).toBe(false);
    expect((await reserveAttempt(modules.db, { email: 'new@example.com', client: '192.0.2.10' }, now)).ok).toBe(true);
  });

  it('lets the admin in from a known browser behind the same address strangers are guessing from', async () => {
    await clearThrottle();
    const { checkCredentials } = modules.credentials;
    const shared = { 'x-mailgate-peer-address': '192.0.2.60' };
    for (let i = 0; i < 25; i += 1) await checkCredentials({ ...ADMIN, password: `guess ${i}` }, new Headers(shared));
    expect(await checkCredentials(ADMIN, new Headers(shared))).toMatchObject({ ok: false, reason: 'rate_limited' });
    const token = modules.device.issueDeviceToken(adminId, process.env.AUTH_SECRET ?? '');
    const known = new Headers({ ...shared, cookie: `other=1; mailgate-device=${token}` });
    expect((await checkCredentials(ADMIN, known)).ok).toBe(true);
    // A forged or someone else's device token is a stranger's browser.
    const forged = new Headers({ ...shared, cookie: `mailgate-device=${token.slice(0, -4)}AAAA` });
    expect(await checkCredentials(ADMIN, forged)).toMatchObject({ ok: false, reason: 'rate_limited' });
  });

  it('forgives the attempts of a successful sign-in', async () => {
    await clearThrottle();
    const { checkCredentials } = modules.credentials;
    const client = new Headers();
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 4; i += 1) await checkCredentials({ ...ADMIN, password: 'nope' }, client);
      expect((await checkCredentials(ADMIN, client)).ok).toBe(true);
    }
  });
});
