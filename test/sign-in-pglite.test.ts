import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The embedded database (PGlite) runs the same throttle and session statements as PostgreSQL.
const dataDir = mkdtempSync(path.join(tmpdir(), 'mg-auth-pglite-'));
let closeDatabase: () => Promise<void>;

beforeAll(() => {
  delete process.env.DATABASE_URL;
  Object.assign(process.env, {
    DATA_DIR: dataDir,
    APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  });
});

afterAll(async () => {
  await closeDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sign-in on the embedded database', () => {
  it('reserves attempts, waits, and keeps sessions with their lifetime', { timeout: 120_000 }, async () => {
    const dbModule = await import('@/lib/db');
    closeDatabase = dbModule.closeDatabase;
    const db = await dbModule.getDb();
    const { reserveAttempt } = await import('@/lib/auth/rate-limit');
    const who = { email: 'a@example.com', client: '192.0.2.1' };
    const t0 = new Date('2026-01-01T00:00:00Z');
    const results = await Promise.all(Array.from({ length: 8 }, () => reserveAttempt(db, who, t0)));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, retryAt: new Date(t0.getTime() + 30_000) });

    const { setUpFirstAdmin } = await import('@/lib/auth/setup');
    const admin = await setUpFirstAdmin(db, { email: 'a@example.com', name: '', password: 'a long password here' });
    const sessions = await import('@/lib/auth/sessions');
    const policy = { lifetimeSeconds: 3600, idleSeconds: 600 };
    const session = await sessions.startSession(
      db,
      { adminId: admin!.id, headers: new Headers(), client: 'x' },
      policy,
      t0,
    );
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    expect(await sessions.resumeSession(db, session.id, admin!.id, policy, at(500))).toBeDefined();
    expect(await sessions.resumeSession(db, session.id, admin!.id, policy, at(1000))).toBeDefined();
    expect(await sessions.resumeSession(db, session.id, admin!.id, policy, at(3700))).toBeUndefined();
  });
});
