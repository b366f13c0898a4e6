import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, configureTestEnvironment, type TestDatabase } from '@/test/support/database';

let target: TestDatabase;
let m: {
  db: import('@/lib/db').Db;
  twoFactor: typeof import('@/lib/auth/two-factor');
  credentials: typeof import('@/lib/auth/credentials');
  admins: typeof import('@/lib/db/queries/admins');
  closeDatabase: () => Promise<void>;
};
let owner: { id: string; email: string; name: string | null };
let secret = '';
let recoveryCodes: string[] = [];
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  target = await createTestDatabase();
  configureTestEnvironment(target.url);
  const dbModule = await import('@/lib/db');
  m = {
    db: await dbModule.getDb(),
    twoFactor: await import('@/lib/auth/two-factor'),
    credentials: await import('@/lib/auth/credentials'),
    admins: await import('@/lib/db/queries/admins'),
    closeDatabase: dbModule.closeDatabase,
  };
  const { setUpFirstAdmin } = await import('@/lib/auth/setup');
  const created = await setUpFirstAdmin(m.db, { email: 'owner@example.com', name: 'Owner', password: PASSWORD });
  owner = { id: created!.id, email: created!.email, name: created!.name };
});

afterAll(async () => {
  await m?.closeDatabase();
  await target?.drop();
});

// No trusted proxy: every call here is the same client; each successful sign-in forgives its attempts.
const from = () => new Headers();

describe('two-factor sign-in', () => {
  it('turns on only with a code from the app, stores the secret sealed and shows ten recovery codes once', async () => {
    const enrolment = m.twoFactor.startEnrolment(owner);
    expect(enrolment.qrSvg).toMatch(/^<svg /);
    expect(await m.twoFactor.confirmEnrolment(m.db, owner, enrolment.sealed, '000000')).toMatchObject({ ok: false });
    const other = m.twoFactor.startEnrolment({ id: '00000000-0000-4000-8000-000000000000', email: 'x@example.com' });
    const code = await generate({ secret: enrolment.secret });
    // A sealed secret from another admin's form does not open for this one.
    expect(await m.twoFactor.confirmEnrolment(m.db, owner, other.sealed, code)).toEqual({
      ok: false,
      reason: 'expired_form',
    });
    const result = await m.twoFactor.confirmEnrolment(m.db, owner, enrolment.sealed, code);
    if (!result.ok) throw new Error('not enrolled');
    recoveryCodes = result.recoveryCodes;
    secret = enrolment.secret;
    expect(new Set(recoveryCodes).size).toBe(10);
    const row = await m.admins.findAdminById(m.db, owner.id);
    expect(row?.totpSecretSealed).toMatch(/^v1:/);
    expect(row?.totpSecretSealed).not.toContain(secret);
  });

  it('asks for a code after the right password, and signs in only with a fresh one', async () => {
    const headers = from();
    const first = await m.credentials.checkCredentials({ email: owner.email, password: PASSWORD }, headers);
    if (first.ok || first.reason !== 'code_required')
      throw new Error(`expected a code request, got ${JSON.stringify(first)}`);
    expect((await m.credentials.checkCredentials({ ticket: first.ticket, code: '123456' }, headers)).ok).toBe(false);
    // Wait for a code the enrolment did not already use.
    let code = await generate({ secret });
    const row = await m.admins.findAdminById(m.db, owner.id);
    const step = Math.floor(Date.now() / 30_000);
    if (row?.totpLastTimeStep === step) {
      await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 200));
      code = await generate({ secret });
    }
    expect((await m.credentials.checkCredentials({ ticket: first.ticket, code }, headers)).ok).toBe(true);
    // The same code again (a replay) is refused.
    const again = await m.credentials.checkCredentials({ email: owner.email, password: PASSWORD }, headers);
    if (again.ok || again.reason !== 'code_required') throw new Error('expected a code request');
    expect((await m.credentials.checkCredentials({ ticket: again.ticket, code }, headers)).ok).toBe(false);
  }, 60_000);

  it('takes each recovery code once', async () => {
    const headers = from();
    const ask = async () => {
      const result = await m.credentials.checkCredentials({ email: owner.email, password: PASSWORD }, headers);
      if (result.ok || result.reason !== 'code_required') throw new Error('expected a code request');
      return result.ticket;
    };
    const recovery = recoveryCodes[0]!;
    expect(
      (await m.credentials.checkCredentials({ ticket: await ask(), code: recovery.toLowerCase() }, headers)).ok,
    ).toBe(true);
    expect((await m.credentials.checkCredentials({ ticket: await ask(), code: recovery }, headers)).ok).toBe(false);
  });

  it('refuses a forged or expired ticket, and throttles code guesses like passwords', async () => {
    const headers = from();
    const code = await generate({ secret });
    const forged = `${owner.id}.${Math.floor(Date.now() / 1000) + 300}.${'A'.repeat(43)}`;
    expect(await m.credentials.checkCredentials({ ticket: forged, code }, headers)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const expired = m.twoFactor.issueSecondFactorTicket(owner.id, Date.now() - 10 * 60_000);
    expect(await m.credentials.checkCredentials({ ticket: expired, code }, headers)).toEqual({
      ok: false,
      reason: 'invalid',
    });

    const first = await m.credentials.checkCredentials({ email: owner.email, password: PASSWORD }, headers);
    if (first.ok || first.reason !== 'code_required') throw new Error('expected a code request');
    for (let i = 0; i < 6; i += 1) {
      await m.credentials.checkCredentials({ ticket: first.ticket, code: `00000${i}` }, headers);
    }
    const limited = await m.credentials.checkCredentials(
      { ticket: first.ticket, code: await generate({ secret }) },
      headers,
    );
    expect(limited).toMatchObject({ ok: false, reason: 'rate_limited' });
  });

  it('is turned off by a password reset from the command line, the way back without phone or recovery codes', async () => {
    const { resetPassword } = await import('@/lib/admins/change-password');
    const { sql } = await import('drizzle-orm');
    // The previous test left this client waiting.
    await m.db.execute(sql`delete from sign_in_throttle`);
    await resetPassword(m.db, owner.id, owner.email, 'a new password from the shell');
    const row = await m.admins.findAdminById(m.db, owner.id);
    expect(m.twoFactor.hasTwoFactor(row!)).toBe(false);
    const result = await m.credentials.checkCredentials(
      { email: owner.email, password: 'a new password from the shell' },
      from(),
    );
    expect(result.ok).toBe(true);
  });
});

describe('REQUIRE_TWO_FACTOR', () => {
  it('sends an admin without a second factor to set it up, from any page but that one', async () => {
    const { secondFactorDetour } = await import('@/lib/auth/require-admin');
    expect(secondFactorDetour({ twoFactor: false }, true, '/messages?q=x')).toBe('/administrators#two-factor');
    expect(secondFactorDetour({ twoFactor: false }, true, null)).toBe('/administrators#two-factor');
    expect(secondFactorDetour({ twoFactor: false }, true, '/administrators')).toBeNull();
    expect(secondFactorDetour({ twoFactor: true }, true, '/messages')).toBeNull();
    expect(secondFactorDetour({ twoFactor: false }, false, '/messages')).toBeNull();
  });
});
