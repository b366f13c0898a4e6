import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EXCHANGE_ID,
  IDLE_TIMEOUT_MS,
  POST_AUTH_CAPABILITIES,
  PRE_AUTH_CAPABILITIES,
  REV2_POST_AUTH_CAPABILITIES,
} from './exchange-protocol';
import { startHarness, type Harness } from './fixture';
import { LinkSchedule } from './link-shaper';
import { RawImap, xoauth2 } from './raw-imap';

let harness: Harness;
const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';

beforeAll(async () => {
  harness = await startHarness({
    exchange: { tokenCheckMs: 100 },
    users: [
      { address: ALICE },
      { address: BOB },
      { address: 'carol@contoso.test' },
      { address: 'support@contoso.test', kind: 'shared', fullAccess: [ALICE] },
    ],
  });
  await harness.seed.messages(ALICE, { count: 3, seed: 11 });
});
afterAll(() => harness.stop());
afterEach(() => {
  const exchange = personality();
  exchange.settings.variant = 'rev1';
  exchange.settings.throttle = undefined;
  exchange.settings.link = undefined;
  exchange.settings.idleTimeoutMs = IDLE_TIMEOUT_MS;
  exchange.settings.withoutCapabilities = [];
  exchange.unfetchable.clear();
  exchange.placeholder.clear();
});

function personality() {
  if (!harness.exchange) throw new Error('The Exchange personality is off');
  return harness.exchange;
}

async function tokenFor(address: string): Promise<string> {
  return (await harness.control.issueTokens({ address })).access_token;
}

async function loggedIn(user = ALICE, owner = user): Promise<RawImap> {
  const { imap } = await RawImap.open(harness.imapPort);
  const answer = await imap.command(`AUTHENTICATE XOAUTH2 ${xoauth2(user, await tokenFor(owner))}`);
  expect(answer.at(-1)).toMatch(/^T\d+ OK AUTHENTICATE completed\.$/);
  return imap;
}

describe('capabilities', () => {
  it('announces what outlook.office365.com announces, before and after login, and no response codes', async () => {
    const { imap, greeting } = await RawImap.open(harness.imapPort);
    expect(greeting).toBe('* OK The Microsoft Exchange IMAP4 service is ready.');
    expect(await imap.command('CAPABILITY')).toEqual([
      `* CAPABILITY ${PRE_AUTH_CAPABILITIES}`,
      'T1 OK CAPABILITY completed.',
    ]);
    expect(await imap.command('ID ("name" "test")')).toEqual([EXCHANGE_ID, 'T2 OK ID completed.']);
    const login = await imap.command(`AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, await tokenFor(ALICE))}`);
    expect(login).toEqual(['T3 OK AUTHENTICATE completed.']);
    const after = await imap.command('CAPABILITY');
    expect(after[0]).toBe(`* CAPABILITY ${POST_AUTH_CAPABILITIES}`);
    for (const missing of ['CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'ENABLE', 'ESEARCH'])
      expect(after[0]).not.toContain(missing);
    const select = await imap.command('SELECT INBOX');
    expect(select.join('\n')).not.toMatch(/HIGHESTMODSEQ|CAPABILITY/);
    imap.close();
  });

  it('leaves imapflow without CONDSTORE: no ENABLE, no HIGHESTMODSEQ', async () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: harness.imapPort,
      secure: false,
      auth: { user: ALICE, accessToken: await tokenFor(ALICE) },
      logger: false,
    });
    await client.connect();
    expect(client.enabled.size).toBe(0);
    const mailbox = await client.mailboxOpen('INBOX');
    expect(mailbox.highestModseq).toBeUndefined();
    await client.logout();
  });
});

describe('logins', () => {
  it('answers NO AUTHENTICATE failed. for a bad, an expired and a missing token, and for PLAIN and LOGIN', async () => {
    const expired = await tokenFor('carol@contoso.test');
    await harness.control.expireAccessTokens('carol@contoso.test');
    const attempts = [
      `AUTHENTICATE XOAUTH2 ${xoauth2(ALICE, 'not-a-token')}`,
      `AUTHENTICATE XOAUTH2 ${xoauth2('carol@contoso.test', expired)}`,
      `AUTHENTICATE XOAUTH2 ${Buffer.from('garbage').toString('base64')}`,
      `AUTHENTICATE PLAIN ${Buffer.from(`\0${ALICE}\0secret`).toString('base64')}`,
    ];
    for (const attempt of attempts) {
      const { imap } = await RawImap.open(harness.imapPort);
      expect(await imap.command(attempt)).toEqual(['T1 NO AUTHENTICATE failed.']);
      imap.close();
    }
    const { imap } = await RawImap.open(harness.imapPort);
    expect(await imap.command(`LOGIN ${ALICE} secret`)).toEqual(['T1 NO LOGIN failed.']);
    imap.close();
  });

  it('logs a delegate into a shared mailbox with Full Access', async () => {
    const imap = await loggedIn('support@contoso.test', ALICE);
    expect((await imap.command('SELECT INBOX')).at(-1)).toMatch(/^T2 OK /);
    imap.close();
  });

  it('is "authenticated but not connected" when user= names a mailbox the token cannot open', async () => {
    const imap = await loggedIn('support@contoso.test', BOB);
    expect(await imap.command('SELECT INBOX')).toEqual(['T2 BAD User is authenticated but not connected.']);
    expect(await imap.command('NOOP')).toEqual(['T3 BAD User is authenticated but not connected.']);
    expect(await imap.rest()).toEqual(['* BYE Connection closed. 14']);
    expect(imap.closed).toBe(true);
  });
});

describe('session lifetime and throttling', () => {
  it('ends the session with AccessTokenExpired when the token it logged in with expires', async () => {
    const imap = await loggedIn(BOB);
    await imap.command('SELECT INBOX');
    await harness.control.expireAccessTokens(BOB);
    expect(await imap.rest()).toEqual(['* BYE Session invalidated - AccessTokenExpired']);
    expect(imap.closed).toBe(true);
  });

  it('announces IDLE, pushes EXISTS to an idling session, and ends IDLE on DONE', async () => {
    expect(POST_AUTH_CAPABILITIES.split(' ')).toContain('IDLE');
    const carol = 'carol@contoso.test';
    await harness.maildirs.ensureFolder(carol);
    const imap = await loggedIn(carol);
    await imap.command('EXAMINE INBOX');
    imap.send('T9 IDLE');
    expect(await imap.next()).toMatch(/^\+ /);
    await harness.seed.messages(carol, { count: 1, seed: 12 });
    expect(await imap.next()).toMatch(/^\* \d+ EXISTS$/);
    imap.send('DONE');
    expect((await imap.upTo('T9')).at(-1)).toMatch(/^T9 OK Idle completed/);
    imap.close();
  });

  it('logs off a session that sent no command for the idle time-out, an IDLE in progress included', async () => {
    personality().settings.idleTimeoutMs = 1_500;
    const before = personality().stats.idleTimeouts;
    const imap = await loggedIn(BOB);
    await imap.command('EXAMINE INBOX');
    imap.send('T9 IDLE');
    expect(await imap.next()).toMatch(/^\+ /);
    expect(await imap.rest()).toEqual(['* BYE Connection is closed. 13']);
    expect(imap.closed).toBe(true);
    expect(personality().stats.idleTimeouts).toBe(before + 1);
  });

  it('keeps a session whose client re-issues IDLE within the time-out', async () => {
    personality().settings.idleTimeoutMs = 1_500;
    const imap = await loggedIn(BOB);
    await imap.command('EXAMINE INBOX');
    for (let round = 0; round < 4; round += 1) {
      imap.send(`I${round} IDLE`);
      expect(await imap.next()).toMatch(/^\+ /);
      await sleep(800);
      imap.send('DONE');
      expect((await imap.upTo(`I${round}`)).at(-1)).toMatch(new RegExp(`^I${round} OK`));
    }
    expect(imap.closed).toBe(false);
    imap.close();
  });

  it('leaves a capability out when told to (a server without IDLE)', async () => {
    personality().settings.withoutCapabilities = ['IDLE'];
    const imap = await loggedIn(BOB);
    const [line] = await imap.command('CAPABILITY');
    expect(line?.split(' ')).not.toContain('IDLE');
    expect(line?.split(' ')).toContain('UIDPLUS');
    imap.close();
  });

  it('throttles beyond the configured budget with a suggested backoff, then closes', async () => {
    personality().settings.throttle = { afterCommands: 2, backoffMs: 4321 };
    const imap = await loggedIn();
    await imap.command('NOOP');
    await imap.command('NOOP');
    expect(await imap.command('SELECT INBOX')).toEqual([
      'T4 BAD Request is throttled. Suggested Backoff Time: 4321 milliseconds',
    ]);
    expect(await imap.rest()).toEqual(['* BYE Connection closed. 14']);
    expect(imap.closed).toBe(true);
  });
});

describe('messages', () => {
  it('reports RFC822.SIZE as an estimate that differs from the served bytes', async () => {
    const imap = await loggedIn();
    await imap.command('EXAMINE INBOX');
    const lines = await imap.command('UID FETCH 1:3 (UID RFC822.SIZE BODY.PEEK[])');
    const pairs = [...lines.join('\n').matchAll(/RFC822\.SIZE (\d+) BODY\[\] \{(\d+)\}/g)];
    expect(pairs).toHaveLength(3);
    for (const [, estimate, served] of pairs) expect(Number(estimate)).not.toBe(Number(served));
    imap.close();
  });

  it('lists a UID that UID FETCH returns nothing for, and serves the retrieval-failed placeholder', async () => {
    personality().unfetchable.add({ mailbox: ALICE, folder: 'INBOX', uid: 2 });
    personality().placeholder.add({ mailbox: ALICE, folder: 'INBOX', uid: 3 });
    const imap = await loggedIn();
    await imap.command('EXAMINE INBOX');
    expect((await imap.command('UID SEARCH ALL'))[0]).toBe('* SEARCH 1 2 3');
    const sizes = (await imap.command('UID FETCH 1:3 (UID RFC822.SIZE)')).join('\n');
    expect(sizes).toMatch(/UID 1 /);
    expect(sizes).not.toMatch(/UID 2 /);
    const body = (await imap.command('UID FETCH 3 (UID BODY.PEEK[])')).join('\n');
    expect(body).toContain('Subject: Retrieval using the IMAP4 protocol failed for the following message: 3');
    expect(body).toContain('From: Microsoft Exchange Server');
    expect(await imap.command('UID FETCH 2 (UID BODY.PEEK[])')).toEqual([expect.stringMatching(/^T6 OK /)]);
    imap.close();
  });

  it('refuses what Exchange does not implement with Command Argument Error. 11', async () => {
    const imap = await loggedIn();
    await imap.command('EXAMINE INBOX');
    const refused = [
      'UID SEARCH RETURN (ALL) ALL',
      'UID SEARCH MODSEQ 5',
      'UID SEARCH KEYWORD Important',
      'UID FETCH 1 ()',
      'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)',
      'STATUS INBOX (HIGHESTMODSEQ)',
      'SELECT INBOX (CONDSTORE)',
      'ENABLE CONDSTORE',
      'LIST "" "*" RETURN (SPECIAL-USE)',
    ];
    for (const command of refused)
      expect((await imap.command(command)).at(-1)).toMatch(/^T\d+ BAD Command Argument Error\. 11$/);
    expect((await imap.command('UID SEARCH CHARSET UTF-8 SUBJECT x')).at(-1)).toMatch(
      /^T\d+ NO \[BADCHARSET \(US-ASCII\)\]/,
    );
    expect((await imap.command('UID SEARCH KEYWORD $MDNSent')).at(-1)).toMatch(/^T\d+ OK /);
    imap.close();
  });
});

describe('the IMAP4rev2 variant (MailKit#2016)', () => {
  it('announces ENABLE IMAP4rev2 after login and answers SEARCH without results once it is enabled', async () => {
    personality().settings.variant = 'rev2';
    const imap = await loggedIn();
    expect((await imap.command('CAPABILITY'))[0]).toBe(`* CAPABILITY ${REV2_POST_AUTH_CAPABILITIES}`);
    await imap.command('EXAMINE INBOX');
    expect((await imap.command('UID SEARCH ALL'))[0]).toBe('* SEARCH 1 2 3');
    expect(await imap.command('ENABLE IMAP4rev2')).toEqual(['* ENABLED IMAP4rev2', 'T5 OK ENABLE completed.']);
    expect(await imap.command('UID SEARCH ALL')).toEqual([
      '* ESEARCH (TAG "T6") UID',
      expect.stringMatching(/^T6 OK /),
    ]);
    imap.close();
  });
});

describe('link shaping', () => {
  it('schedules each chunk one-way delay later and no faster than the bandwidth cap', () => {
    const link = new LinkSchedule({ roundTripMs: 40, bytesPerSecond: 8_000_000 });
    expect(link.releaseAt(0, 0)).toBe(20);
    expect(link.releaseAt(0, 8_000)).toBe(21); // waits for the one before, then 1 ms on the wire
    expect(link.releaseAt(100, 80_000)).toBe(130);
    expect(new LinkSchedule({}).releaseAt(5, 1_000_000)).toBe(5);
  });

  it('applies the configured shape to new connections', async () => {
    personality().settings.link = { roundTripMs: 300 };
    const started = Date.now();
    const { imap } = await RawImap.open(harness.imapPort);
    await imap.command('CAPABILITY');
    // Greeting (one way) + command and answer (a round trip): a lower bound, which load cannot break.
    expect(Date.now() - started).toBeGreaterThanOrEqual(440);
    imap.close();
  });
});
