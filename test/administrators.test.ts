import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, configureTestEnvironment, type TestDatabase } from '@/test/support/database';

let target: TestDatabase;
let m: {
  db: import('@/lib/db').Db;
  invites: typeof import('@/lib/admins/invites');
  remove: typeof import('@/lib/admins/remove');
  password: typeof import('@/lib/admins/change-password');
  everywhere: typeof import('@/lib/admins/sign-out-everywhere');
  sessions: typeof import('@/lib/auth/sessions');
  credentials: typeof import('@/lib/auth/credentials');
  admins: typeof import('@/lib/db/queries/admins');
  audit: typeof import('@/lib/db/queries/audit-events');
  describe: typeof import('@/lib/audit/describe-event');
  closeDatabase: () => Promise<void>;
};
let owner: { id: string; email: string; name: string | null };

const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  target = await createTestDatabase();
  configureTestEnvironment(target.url);
  const dbModule = await import('@/lib/db');
  m = {
    db: await dbModule.getDb(),
    invites: await import('@/lib/admins/invites'),
    remove: await import('@/lib/admins/remove'),
    password: await import('@/lib/admins/change-password'),
    everywhere: await import('@/lib/admins/sign-out-everywhere'),
    sessions: await import('@/lib/auth/sessions'),
    credentials: await import('@/lib/auth/credentials'),
    admins: await import('@/lib/db/queries/admins'),
    audit: await import('@/lib/db/queries/audit-events'),
    describe: await import('@/lib/audit/describe-event'),
    closeDatabase: dbModule.closeDatabase,
  };
  const { setUpFirstAdmin } = await import('@/lib/auth/setup');
  const created = await setUpFirstAdmin(m.db, { email: 'owner@example.com', name: 'Owner', password: PASSWORD });
  if (!created) throw new Error('no first admin');
  owner = { id: created.id, email: created.email, name: created.name };
});

afterAll(async () => {
  await m?.closeDatabase();
  await target?.drop();
});

async function lastEventSentence(): Promise<string> {
  const [event] = await m.audit.listAuditEvents(m.db, { limit: 1 });
  if (!event) throw new Error('no audit event');
  return m.describe.describeAuditEvent(event);
}

async function invitedAdmin(email: string) {
  const invite = await m.invites.inviteAdmin(m.db, owner, email);
  if (!invite.ok) throw new Error('not invited');
  const accepted = await m.invites.acceptInvite(m.db, invite.token, { name: '', password: PASSWORD });
  if (!accepted.ok) throw new Error('not accepted');
  return { id: accepted.admin.id, email: accepted.admin.email, name: null };
}

const session = (adminId: string) =>
  m.sessions.startSession(m.db, { adminId, headers: new Headers({ 'user-agent': 'UA' }), client: '192.0.2.1' });

describe('inviting administrators', () => {
  it('turns a link into an administrator once, and stores only a hash of its token', async () => {
    const invite = await m.invites.inviteAdmin(m.db, owner, 'bea@example.com');
    if (!invite.ok) throw new Error('not invited');
    expect(invite.invite.tokenHash).not.toContain(invite.token);
    expect(await lastEventSentence()).toBe('Owner invited bea@example.com to become an administrator.');
    const [first, second] = await Promise.all([
      m.invites.acceptInvite(m.db, invite.token, { name: 'Bea', password: PASSWORD }),
      m.invites.acceptInvite(m.db, invite.token, { name: 'Mallory', password: 'another long password' }),
    ]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    // Whichever of the two racing acceptances won is the admin; the other changed nothing.
    expect((await m.admins.findAdminByEmail(m.db, 'bea@example.com'))?.name).toBe(first.ok ? 'Bea' : 'Mallory');
    expect(await m.invites.inviteFromLink(m.db, invite.token)).toBeUndefined();
    expect(await lastEventSentence()).toBe('bea@example.com accepted an invitation and became an administrator.');
  });

  it('refuses an expired, a withdrawn, a made-up link and an e-mail that is already an admin', async () => {
    const old = await m.invites.inviteAdmin(m.db, owner, 'late@example.com', new Date(Date.now() - 49 * 3600_000));
    if (!old.ok) throw new Error('not invited');
    expect(await m.invites.acceptInvite(m.db, old.token, { name: '', password: PASSWORD })).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const withdrawn = await m.invites.inviteAdmin(m.db, owner, 'gone@example.com');
    if (!withdrawn.ok) throw new Error('not invited');
    expect(await m.invites.withdrawInvite(m.db, owner, withdrawn.invite.id)).toBe(true);
    expect(await lastEventSentence()).toBe('Owner withdrew the invitation for gone@example.com.');
    expect((await m.invites.acceptInvite(m.db, withdrawn.token, { name: '', password: PASSWORD })).ok).toBe(false);
    expect((await m.invites.acceptInvite(m.db, 'A'.repeat(43), { name: '', password: PASSWORD })).ok).toBe(false);
    expect((await m.invites.acceptInvite(m.db, '../../etc', { name: '', password: PASSWORD })).ok).toBe(false);
    expect(await m.invites.inviteAdmin(m.db, owner, 'owner@example.com')).toEqual({ ok: false, reason: 'exists' });
  });
});

describe('removing administrators', () => {
  it('never removes yourself without the second confirmation', async () => {
    expect(await m.remove.removeAdministrator(m.db, owner, owner.id, false)).toBe('self_unconfirmed');
    expect(await m.admins.findAdminById(m.db, owner.id)).toBeDefined();
  });

  it('ends the removed admin’s sessions with them', async () => {
    const carl = await invitedAdmin('carl@example.com');
    const carlSession = await session(carl.id);
    expect(await m.remove.removeAdministrator(m.db, owner, carl.id, false)).toBe('removed');
    expect(await m.sessions.resumeSession(m.db, carlSession.id, carl.id)).toBeUndefined();
    expect(await lastEventSentence()).toBe('Owner removed the administrator carl@example.com.');
  });

  it('never removes the last one, even when the last two remove each other at once', async () => {
    for (const admin of await m.admins.listAdmins(m.db)) {
      if (admin.id !== owner.id) await m.remove.removeAdministrator(m.db, owner, admin.id, false);
    }
    const dora = await invitedAdmin('dora@example.com');
    const outcomes = await Promise.all([
      m.remove.removeAdministrator(m.db, owner, dora.id, false),
      m.remove.removeAdministrator(m.db, dora, owner.id, false),
    ]);
    expect(outcomes.sort()).toEqual(['last', 'removed']);
    expect(await m.admins.countAdmins(m.db)).toBe(1);
    const [survivor] = await m.admins.listAdmins(m.db);
    const self = { id: survivor!.id, email: survivor!.email, name: survivor!.name };
    expect(await m.remove.removeAdministrator(m.db, self, self.id, true)).toBe('last');
    // Whoever survived is the owner of the tests below (both have the same password).
    owner = self;
  });
});

describe('passwords and sessions', () => {
  it('changes a password only with the current one, and signs out the other sessions', async () => {
    const here = await session(owner.id);
    const there = await session(owner.id);
    const wrong = await m.password.changeOwnPassword(m.db, owner, here.id, {
      currentPassword: 'not it',
      newPassword: 'a brand new password',
    });
    expect(wrong).toEqual({ ok: false, reason: 'wrong_password' });
    expect(await m.sessions.resumeSession(m.db, there.id, owner.id)).toBeDefined();
    const changed = await m.password.changeOwnPassword(m.db, owner, here.id, {
      currentPassword: PASSWORD,
      newPassword: 'a brand new password',
    });
    expect(changed).toEqual({ ok: true, endedSessions: 1 });
    expect(await m.sessions.resumeSession(m.db, here.id, owner.id)).toBeDefined();
    expect(await m.sessions.resumeSession(m.db, there.id, owner.id)).toBeUndefined();
    expect(await lastEventSentence()).toMatch(/changed their password and 1 other session was signed out\.$/);
    const signIn = await m.credentials.checkCredentials(
      { email: owner.email, password: 'a brand new password' },
      new Headers(),
    );
    expect(signIn.ok).toBe(true);
  });

  it('signs out everywhere, this session too', async () => {
    const a = await session(owner.id);
    await session(owner.id);
    expect(await m.everywhere.signOutEverywhere(m.db, owner)).toBeGreaterThanOrEqual(2);
    expect(await m.sessions.resumeSession(m.db, a.id, owner.id)).toBeUndefined();
  });
});

function runAdminCli(args: string[], stdin: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['scripts/cli.mjs', 'admin', ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: process.env.DATABASE_URL ?? '',
        APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY ?? '',
        AUTH_SECRET: process.env.AUTH_SECRET ?? '',
        LOG_LEVEL: 'silent',
      } as Record<string, string> as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdin.end(stdin);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run admin (command-line recovery)', () => {
  it(
    'creates an admin and resets a password from piped input, signing that admin out everywhere',
    { timeout: 60_000 },
    async () => {
      const created = await runAdminCli(
        ['create', '--email', 'Ops@Example.com', '--name', 'Ops'],
        'an ops password here\n',
      );
      expect(created).toMatchObject({ code: 0 });
      expect(created.output).toContain('Administrator ops@example.com created.');
      expect(await lastEventSentence()).toBe(
        'ops@example.com was made an administrator from the server’s command line.',
      );
      expect(
        (
          await m.credentials.checkCredentials(
            { email: 'ops@example.com', password: 'an ops password here' },
            new Headers(),
          )
        ).ok,
      ).toBe(true);

      const ops = await m.admins.findAdminByEmail(m.db, 'ops@example.com');
      const live = await session(ops!.id);
      const reset = await runAdminCli(['reset-password', '--email', 'ops@example.com'], 'the reset password!\n');
      expect(reset).toMatchObject({ code: 0 });
      expect(reset.output).toContain('1 session signed out');
      expect(await m.sessions.resumeSession(m.db, live.id, ops!.id)).toBeUndefined();
      expect(
        (
          await m.credentials.checkCredentials(
            { email: 'ops@example.com', password: 'the reset password!' },
            new Headers(),
          )
        ).ok,
      ).toBe(true);
    },
  );

  it(
    'refuses a short password, an unknown e-mail and a bad command, changing nothing',
    { timeout: 60_000 },
    async () => {
      const before = await m.admins.countAdmins(m.db);
      expect(await runAdminCli(['create', '--email', 'short@example.com'], 'short\n')).toMatchObject({ code: 1 });
      expect(
        (await runAdminCli(['reset-password', '--email', 'nobody@example.com'], 'long enough password\n')).output,
      ).toContain('No administrator has the e-mail nobody@example.com.');
      expect(await runAdminCli(['promote', '--email', 'x@example.com'], '')).toMatchObject({ code: 2 });
      expect(await m.admins.countAdmins(m.db)).toBe(before);
    },
  );
});
