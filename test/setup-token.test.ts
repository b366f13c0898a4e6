import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '@/lib/db/types';
import { announceSetupToken, isSetupToken, setupToken } from '@/lib/auth/setup-token';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';

const SECRET = 'a'.repeat(44);

let database: TestDatabase;
let opened: Database;
beforeAll(async () => {
  database = await createTestDatabase('mg_setup_token');
  const { openPostgresDatabase } = await import('@/lib/db/postgres');
  opened = await openPostgresDatabase(database.url);
});
afterAll(async () => {
  await opened?.close();
  await database?.drop();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  delete (globalThis as { __mailgateSetupTokenAnnounced?: boolean }).__mailgateSetupTokenAnnounced;
});

describe('the first administrator’s set-up token', () => {
  it('is the same on every instance of a deployment and differs between deployments', () => {
    expect(setupToken(SECRET)).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/);
    expect(setupToken(SECRET)).toBe(setupToken(SECRET));
    expect(setupToken('b'.repeat(44))).not.toBe(setupToken(SECRET));
  });

  it('accepts what was copied however it was typed, and nothing else', () => {
    const token = setupToken(SECRET);
    expect(isSetupToken(token, SECRET)).toBe(true);
    expect(isSetupToken(` ${token.toLowerCase().replace(/-/g, ' ')} `, SECRET)).toBe(true);
    expect(isSetupToken(setupToken('b'.repeat(44)), SECRET)).toBe(false);
    expect(isSetupToken('', SECRET)).toBe(false);
    expect(isSetupToken(undefined, SECRET)).toBe(false);
    expect(isSetupToken(`${token}X`, SECRET)).toBe(false);
  });

  it('is printed once by a production server while no administrator exists, never in development', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('NODE_ENV', 'development');
    await announceSetupToken(opened.db, SECRET);
    expect(log).not.toHaveBeenCalled();

    vi.stubEnv('NODE_ENV', 'production');
    await announceSetupToken(opened.db, SECRET);
    await announceSetupToken(opened.db, SECRET);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[0]).toContain(`Set-up token for the first administrator: ${setupToken(SECRET)}`);
  });

  it('is not printed once an administrator exists', async () => {
    const { setUpFirstAdmin } = await import('@/lib/auth/setup');
    await setUpFirstAdmin(opened.db, { email: 'ada@example.com', name: '', password: 'a long password 1' });
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubEnv('NODE_ENV', 'production');
    await announceSetupToken(opened.db, SECRET);
    expect(log).not.toHaveBeenCalled();
  });
});
