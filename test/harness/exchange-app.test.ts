/**
 * IMAP and SMTP with the app's own token against the stand-in, as Exchange Online decides it: the Exchange Online
 * application permission in the token's roles (granted and consented), the app's service principal registered in
 * Exchange, and a mailbox permission per mailbox (./emulator/exchange-app.ts).
 */
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT, type AppInput } from './emulator/model';
import { startHarness, type Harness } from './fixture';
import { subjectsIn } from './mail-clients';
import { RawImap, xoauth2 } from './raw-imap';

const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';
const APP = {
  clientId: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d',
  clientSecret: 'daemon~secret',
  redirectUris: ['http://127.0.0.1:3999/cb'],
  audience: 'single',
  tenant: DEFAULT_TENANT.id,
  exchangePermissions: ['IMAP.AccessAsApp', 'SMTP.SendAsApp'],
  exchangeServicePrincipal: true,
  mailboxPermissions: [ALICE],
} satisfies AppInput;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ users: [{ address: ALICE }, { address: BOB }], apps: [APP] });
  await harness.seed.messages(ALICE, { count: 2, seed: 3 });
});
afterAll(() => harness.stop());

async function appToken(scope = 'https://outlook.office365.com/.default'): Promise<string> {
  const response = await fetch(`${harness.emulator.url}/${DEFAULT_TENANT.id}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      scope,
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** The tagged answer to AUTHENTICATE XOAUTH2 as `user`, then EXAMINE INBOX's when it was taken. */
async function imapLogin(user: string, token: string): Promise<{ login: string; examine?: string }> {
  const { imap } = await RawImap.open(harness.imapPort);
  try {
    const login = (await imap.command(`AUTHENTICATE XOAUTH2 ${xoauth2(user, token)}`)).at(-1) ?? '';
    if (!/ OK /.test(login)) return { login };
    return { login, examine: (await imap.command('EXAMINE INBOX')).at(-1) };
  } finally {
    imap.close();
  }
}

async function smtpSend(user: string, token: string, subject: string): Promise<unknown> {
  const transport = createTransport({
    host: '127.0.0.1',
    port: harness.smtpPort,
    secure: false,
    ignoreTLS: true,
    auth: { type: 'OAuth2', user, accessToken: token },
  });
  try {
    return await transport.sendMail({ from: user, to: user, subject, text: 'From the app' });
  } finally {
    transport.close();
  }
}

const reregister = (changes: Partial<AppInput>) => harness.control.registerApp({ ...APP, ...changes });

describe('IMAP with an app-only token', () => {
  it('opens a mailbox the service principal holds a mailbox permission on, and nothing else', async () => {
    const token = await appToken();
    expect(await imapLogin(ALICE, token)).toEqual({
      login: 'T1 OK AUTHENTICATE completed.',
      examine: expect.stringMatching(/^T2 OK \[READ-ONLY\]/),
    });
    expect(await imapLogin(BOB, token)).toEqual({ login: 'T1 NO AUTHENTICATE failed.' });
  });

  it('follows Add-MailboxPermission and Remove-MailboxPermission on the same token', async () => {
    const token = await appToken();
    await harness.control.grantMailboxPermission(APP.clientId, BOB);
    try {
      expect((await imapLogin(BOB, token)).login).toBe('T1 OK AUTHENTICATE completed.');
    } finally {
      await harness.control.revokeMailboxPermission(APP.clientId, BOB);
    }
    expect((await imapLogin(BOB, token)).login).toBe('T1 NO AUTHENTICATE failed.');
  });

  it('refuses without the service principal, without IMAP.AccessAsApp, without admin consent, or a Graph token', async () => {
    try {
      await reregister({ exchangeServicePrincipal: false });
      expect((await imapLogin(ALICE, await appToken())).login).toBe('T1 NO AUTHENTICATE failed.');
      await reregister({ exchangePermissions: ['SMTP.SendAsApp'] });
      expect((await imapLogin(ALICE, await appToken())).login).toBe('T1 NO AUTHENTICATE failed.');
      await reregister({ consent: 'admin' });
      expect((await imapLogin(ALICE, await appToken())).login).toBe('T1 NO AUTHENTICATE failed.');
      await harness.control.grantAdminConsent(APP.clientId, DEFAULT_TENANT.id);
      expect((await imapLogin(ALICE, await appToken())).login).toBe('T1 OK AUTHENTICATE completed.');
      await reregister({ applicationPermissions: ['Mail.ReadWrite'] });
      const graphToken = await appToken('https://graph.microsoft.com/.default');
      expect((await imapLogin(ALICE, graphToken)).login).toBe('T1 NO AUTHENTICATE failed.');
    } finally {
      await reregister({});
    }
  });

  it('serves the mailbox’s own messages to a client library', async () => {
    const { ImapFlow } = await import('imapflow');
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: harness.imapPort,
      secure: false,
      auth: { user: ALICE, accessToken: await appToken() },
      logger: false,
    });
    await imap.connect();
    try {
      const mailbox = await imap.mailboxOpen('INBOX', { readOnly: true });
      expect(mailbox.exists).toBe(2);
    } finally {
      await imap.logout();
    }
  });
});

describe('SMTP with an app-only token', () => {
  it('sends From the permitted mailbox, into its Sent Items and the recipient’s Inbox', async () => {
    await smtpSend(ALICE, await appToken(), 'Sent by the app');
    expect(await subjectsIn(harness, ALICE, ALICE, 'Sent Items')).toContain('Sent by the app');
    expect(await subjectsIn(harness, ALICE)).toContain('Sent by the app');
  });

  it('answers 535 5.7.3 for a mailbox without permission or a token without SMTP.SendAsApp', async () => {
    await expect(smtpSend(BOB, await appToken(), 'Not allowed')).rejects.toMatchObject({
      responseCode: 535,
      response: expect.stringContaining('5.7.3 Authentication unsuccessful'),
    });
    try {
      await reregister({ exchangePermissions: ['IMAP.AccessAsApp'] });
      await expect(smtpSend(ALICE, await appToken(), 'No role')).rejects.toMatchObject({ responseCode: 535 });
    } finally {
      await reregister({});
    }
  });
});
