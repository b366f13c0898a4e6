import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, configureTestEnvironment, type TestDatabase } from '@/test/support/database';

let target: TestDatabase;
let modules: {
  db: import('@/lib/db').Db;
  setup: typeof import('@/lib/auth/setup');
  credentials: typeof import('@/lib/auth/credentials');
  admins: typeof import('@/lib/db/queries/admins');
  password: typeof import('@/lib/auth/password');
  closeDatabase: () => Promise<void>;
};

beforeAll(async () => {
  target = await createTestDatabase();
  configureTestEnvironment(target.url);
  const dbModule = await import('@/lib/db');
  modules = {
    db: await dbModule.getDb(),
    setup: await import('@/lib/auth/setup'),
    credentials: await import('@/lib/auth/credentials'),
    admins: await import('@/lib/db/queries/admins'),
    password: await import('@/lib/auth/password'),
    closeDatabase: dbModule.closeDatabase,
  };
});

afterAll(async () => {
  await modules?.closeDatabase();
  await target?.drop();
});

const PASSWORD = 'correct horse battery';
// Whichever racing set-up won becomes the admin the sign-in tests use.
let owner = '';

describe('first-run set-up', () => {
  it('creates exactly one first admin even when two set-ups race, then stays closed', async () => {
    const { setUpFirstAdmin } = modules.setup;
    const results = await Promise.all([
      setUpFirstAdmin(modules.db, { email: 'Owner@Example.com', name: 'Owner', password: PASSWORD }),
      setUpFirstAdmin(modules.db, { email: 'other@example.com', name: '', password: PASSWORD }),
    ]);
    const winners = results.filter((admin) => admin !== null);
    expect(winners).toHaveLength(1);
    owner = winners[0]?.email ?? '';
    expect(await modules.admins.countAdmins(modules.db)).toBe(1);
    const later = await setUpFirstAdmin(modules.db, {
      email: 'late@example.com',
      name: '',
      password: 'yet another password',
    });
    expect(later).toBeNull();
    expect(await modules.admins.countAdmins(modules.db)).toBe(1);
  });

  it('validates the form: matching passwords of at least 12 characters and a real e-mail', () => {
    const { setupSchema } = modules.setup;
    expect(setupSchema.safeParse({ email: 'x', password: 'short', confirmPassword: 'short' }).success).toBe(false);
    const mismatch = setupSchema.safeParse({
      email: 'a@b.co',
      password: 'long enough pw',
      confirmPassword: 'different pw!!',
    });
    expect(mismatch.error?.issues[0]?.path).toEqual(['confirmPassword']);
  });
});

describe('sign-in', () => {
  it('hashes passwords with scrypt and verifies them', async () => {
    const hash = await modules.password.hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await modules.password.verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await modules.password.verifyPassword('wrong', hash)).toBe(false);
  });

  it('accepts the right password (e-mail in any case) and refuses a wrong one', async () => {
    const { checkCredentials } = modules.credentials;
    const ok = await checkCredentials({ email: owner.toUpperCase(), password: PASSWORD }, new Headers());
    expect(ok).toMatchObject({ ok: true, admin: { email: owner } });
    const bad = await checkCredentials({ email: owner, password: 'nope' }, new Headers());
    expect(bad).toEqual({ ok: false, reason: 'invalid' });
  });
});
