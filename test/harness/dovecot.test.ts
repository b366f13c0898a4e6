import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './fixture';

let harness: Harness;

beforeAll(async () => {
  // Dovecot's own behaviour (its configuration is what these tests check): the Exchange personality is off.
  harness = await startHarness({
    exchange: false,
    users: [
      { address: 'alice@contoso.test' },
      { address: 'bob@contoso.test' },
      { address: 'carol@contoso.test' },
      { address: 'dave@contoso.test' },
      { address: 'support@contoso.test', kind: 'shared', fullAccess: ['alice@contoso.test'] },
    ],
  });
});
afterAll(() => harness.stop());

function client(user: string, accessToken: string, port = harness.imapPort): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    auth: { user, accessToken },
    logger: false,
    connectionTimeout: 5_000,
  });
}

async function tokenFor(address: string): Promise<string> {
  return (await harness.control.issueTokens({ address })).access_token;
}

async function loginFails(user: string, accessToken: string): Promise<unknown> {
  const imap = client(user, accessToken);
  return imap.connect().then(
    async () => {
      await imap.logout();
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('XOAUTH2 logins', () => {
  it('opens the mailbox with a live token of its owner', async () => {
    await harness.seed.messages('alice@contoso.test', { count: 25, seed: 7 });
    const imap = client('alice@contoso.test', await tokenFor('alice@contoso.test'));
    await imap.connect();
    const mailbox = await imap.mailboxOpen('INBOX');
    expect(mailbox.exists).toBe(25);
    await imap.logout();
  });

  it.concurrent('refuses an expired, a revoked and another user’s token', async () => {
    const expired = await tokenFor('carol@contoso.test');
    const revoked = await tokenFor('dave@contoso.test');
    const alices = await tokenFor('alice@contoso.test');
    await harness.control.expireAccessTokens('carol@contoso.test');
    await harness.control.revokeUser('dave@contoso.test');
    const errors = await Promise.all([
      loginFails('carol@contoso.test', expired),
      loginFails('dave@contoso.test', revoked),
      loginFails('bob@contoso.test', alices),
    ]);
    for (const error of errors)
      expect(error).toMatchObject({ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' });
  });

  it.concurrent('lets a delegate with Full Access open the shared mailbox and refuses anyone else', async () => {
    const [alice, bob] = await Promise.all([tokenFor('alice@contoso.test'), tokenFor('bob@contoso.test')]);
    const [refused] = await Promise.all([
      loginFails('support@contoso.test', bob),
      (async () => {
        const imap = client('support@contoso.test', alice);
        await imap.connect();
        await imap.mailboxOpen('INBOX');
        await imap.logout();
      })(),
    ]);
    expect(refused).toMatchObject({ authenticationFailed: true });
  });
});

describe('seeding and mailbox changes', () => {
  it('shows messages added while a session is open, a new folder, an expunge and a new UIDVALIDITY', async () => {
    const imap = client('bob@contoso.test', await tokenFor('bob@contoso.test'));
    await imap.connect();
    const before = await imap.mailboxOpen('INBOX');
    await harness.seed.messages('bob@contoso.test', { count: 3, seed: 2 });
    await imap.noop();
    expect(imap.mailbox && imap.mailbox.exists).toBe(3);
    await harness.seed.append('bob@contoso.test', [
      Buffer.from('From: x@fabrikam.test\r\nSubject: appended\r\n\r\nhello\r\n'),
    ]);
    await imap.noop();
    const last = await imap.fetchOne('*', { envelope: true });
    expect(last && last.envelope?.subject).toBe('appended');
    await harness.seed.expunge('bob@contoso.test', [1]);
    await imap.logout();

    await harness.seed.createFolder('bob@contoso.test', 'Archive');
    const next = await harness.seed.changeUidValidity('bob@contoso.test');
    const again = client('bob@contoso.test', await tokenFor('bob@contoso.test'));
    await again.connect();
    const after = await again.mailboxOpen('INBOX');
    expect(after.exists).toBe(3);
    expect(after.uidValidity).toBe(BigInt(next));
    expect(after.uidValidity).not.toBe(before.uidValidity);
    expect((await again.list()).map((f) => f.path)).toContain('Archive');
    await again.logout();
  });
});

describe('server faults', () => {
  it('survives a Dovecot crash mid-session and serves again after a restart on the same port', async () => {
    const token = await tokenFor('alice@contoso.test');
    const imap = client('alice@contoso.test', token);
    imap.on('error', () => undefined);
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => imap.once('close', () => resolve()));
    await harness.dovecot.kill();
    await closed;
    await harness.dovecot.start();
    const again = client('alice@contoso.test', token);
    await again.connect();
    await again.logout();
  });

  it('drops a connection after a given number of bytes through the proxy', async () => {
    const proxy = await harness.imapProxy({ dropAfterBytes: 20_000 });
    const imap = client('alice@contoso.test', await tokenFor('alice@contoso.test'), proxy.port);
    imap.on('error', () => undefined);
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    const fetchAll = (async () => {
      for await (const message of imap.fetch('1:*', { source: true })) void message;
    })();
    await expect(fetchAll).rejects.toBeTruthy();
    expect(proxy.dropped).toBe(1);
  });
});
