import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT, PERSONAL_TENANT_ID } from './emulator/model';
import { issueTokens } from './emulator/issue';
import { startHarness, type Harness } from './fixture';
import { sendWithToken, subjectsIn } from './mail-clients';

let harness: Harness;

const ALICE = {
  address: 'alice@contoso.test',
  signInName: 'a.admin@contoso.onmicrosoft.test',
  aliases: ['sales@contoso.test'],
};

beforeAll(async () => {
  harness = await startHarness({
    tenants: [{ domain: 'fabrikam.test' }],
    users: [
      { ...ALICE, displayName: 'Alice' },
      { address: 'nora@contoso.test', signInName: 'nora.k@contoso.onmicrosoft.test', emailClaim: 'none' },
      { address: 'sam@contoso.test', aliases: ['samuel@contoso.test'], emailClaim: 'samuel@contoso.test' },
      { address: 'dana@outlook.test', kind: 'personal', signInName: '+14255550100' },
      { address: 'lee@outlook.test', kind: 'personal', signInName: 'lee@gmail.test', emailClaim: 'lee@gmail.test' },
      { address: 'carol@fabrikam.test', kind: 'guest', tenant: DEFAULT_TENANT.id },
      { address: 'bob@contoso.test' },
    ],
  });
});
afterAll(() => harness.stop());

async function idTokenOf(address: string, scopes = ['openid', 'profile', 'email']): Promise<Record<string, unknown>> {
  const { state } = harness.emulator;
  const user = state.directory.requireUser(address);
  const app = { ...state.directory.listApps()[0], clientId: '00000000-0000-4000-8000-0000000000bb' } as never;
  const response = await issueTokens(state, { app, user, scopes, clientInfo: false });
  return decodeJwt(response.id_token ?? '');
}

const imapLogin = (tokenOwner: string, user: string) => subjectsIn(harness, tokenOwner, user);
const send = (tokenOwner: string, user: string, message: { from: string; to: string; subject: string }) =>
  sendWithToken(harness, tokenOwner, user, message);

describe('id token claims of the directory’s users', () => {
  it('carries the UPN as preferred_username and the primary address as email', async () => {
    const claims = await idTokenOf(ALICE.address);
    expect(claims).toMatchObject({ preferred_username: ALICE.signInName, email: ALICE.address });
    expect(claims).not.toHaveProperty('idp');
  });

  it('leaves email out without the email scope, or when the user has no addressable mail', async () => {
    expect(await idTokenOf(ALICE.address, ['openid', 'profile'])).not.toHaveProperty('email');
    expect(await idTokenOf('nora@contoso.test')).not.toHaveProperty('email');
  });

  it('sends a different email claim when the mail attribute names another address', async () => {
    expect(await idTokenOf('sam@contoso.test')).toMatchObject({ email: 'samuel@contoso.test' });
  });

  it('gives personal accounts their sign-in name, a phone number or another provider’s address', async () => {
    expect(await idTokenOf('dana@outlook.test')).toMatchObject({
      preferred_username: '+14255550100',
      email: 'dana@outlook.test',
      tid: PERSONAL_TENANT_ID,
    });
    expect(await idTokenOf('lee@outlook.test')).toMatchObject({ preferred_username: 'lee@gmail.test' });
  });

  it('marks a guest with its home idp while tid names the inviting tenant', async () => {
    const claims = await idTokenOf('carol@fabrikam.test');
    expect(claims.tid).toBe(DEFAULT_TENANT.id);
    expect(claims.idp).toMatch(/^https:\/\/sts\.windows\.net\/[0-9a-f-]{36}\/$/);
    expect(claims.idp).not.toBe(claims.iss);
    expect(harness.emulator.state.directory.requireUser('carol@fabrikam.test').upn).toBe(
      'carol_fabrikam.test#EXT#@contoso.test',
    );
  });
});

describe('IMAP logins follow the directory', () => {
  it('opens the one mailbox whether user= is the UPN or the primary address', async () => {
    await harness.seed.raw(ALICE.address, [Buffer.from('Subject: for alice\r\n\r\nhello\r\n')]);
    expect(await imapLogin(ALICE.address, ALICE.signInName)).toEqual(['for alice']);
    expect(await imapLogin(ALICE.address, ALICE.address)).toEqual(['for alice']);
  });

  it('refuses an alias as user=, another user’s mailbox, and a guest without a mailbox', async () => {
    await expect(imapLogin(ALICE.address, 'sales@contoso.test')).rejects.toMatchObject({ authenticationFailed: true });
    await expect(imapLogin('bob@contoso.test', ALICE.signInName)).rejects.toMatchObject({ authenticationFailed: true });
    await expect(imapLogin('carol@fabrikam.test', 'carol@fabrikam.test')).rejects.toMatchObject({
      authenticationFailed: true,
    });
  });
});

describe('SMTP follows the directory', () => {
  it('authenticates the UPN only and sends From the primary address', async () => {
    await send(ALICE.address, ALICE.signInName, { from: ALICE.address, to: 'bob@contoso.test', subject: 'as primary' });
    expect(harness.smtp.sent.at(-1)).toMatchObject({ authUser: ALICE.address, headerFrom: ALICE.address });
    await expect(
      send(ALICE.address, ALICE.address, { from: ALICE.address, to: 'bob@contoso.test', subject: 'x' }),
    ).rejects.toMatchObject({ responseCode: 535, response: expect.stringContaining('5.7.3') });
  });

  it('takes an alias in From but rewrites it to the primary address, and delivers mail to an alias', async () => {
    await send(ALICE.address, ALICE.signInName, {
      from: 'sales@contoso.test',
      to: 'sales@contoso.test',
      subject: 'to the alias',
    });
    expect(harness.smtp.sent.at(-1)?.headerFrom).toBe(ALICE.address);
    expect(await imapLogin(ALICE.address, ALICE.address)).toContain('to the alias');
  });

  it('refuses the UPN as From when it is not one of the mailbox’s addresses', async () => {
    await expect(
      send(ALICE.address, ALICE.signInName, { from: ALICE.signInName, to: 'bob@contoso.test', subject: 'x' }),
    ).rejects.toMatchObject({ responseCode: 550, response: expect.stringContaining('5.7.60') });
  });
});
