import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from './emulator/model';
import { startHarness, type Harness } from './fixture';
import { appToken, graphCall } from './graph-client';

const DAEMON = { clientId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', clientSecret: 'daemon~secret' };
const SCOPED = { clientId: '8d4e5f60-7182-4d9e-9fa0-2b3c4d5e6f70', clientSecret: 'scoped~secret' };
const redirectUris = ['http://127.0.0.1:3999/cb'];

let harness: Harness;
let token: string;

interface DeltaItem {
  id: string;
  subject?: string;
  internetMessageId?: string;
  '@removed'?: { reason: string };
}

beforeAll(async () => {
  harness = await startHarness({
    users: [
      { address: 'alice@contoso.test' },
      { address: 'bob@contoso.test' },
      { address: 'carol@contoso.test' },
      { address: 'support@contoso.test', kind: 'shared', sendAs: ['alice@contoso.test'] },
    ],
    apps: [
      { ...DAEMON, redirectUris, tenant: DEFAULT_TENANT.id, applicationPermissions: ['Mail.ReadWrite', 'Mail.Send'] },
      {
        ...SCOPED,
        redirectUris,
        tenant: DEFAULT_TENANT.id,
        // No unscoped Entra grant (it would reach every mailbox): only Exchange's scoped role assignment.
        rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: ['alice@contoso.test'] }],
      },
    ],
  });
  token = (await appToken(harness, DAEMON, DEFAULT_TENANT.id)).body.access_token as string;
});
afterAll(() => harness.stop());

const get = (path: string, headers: Record<string, string> = {}) => graphCall(harness, token, path, { headers });

/** Follows nextLinks to the deltaLink; returns every item and the page sizes seen. */
async function deltaRound(start: string, pageSize: number) {
  const items: DeltaItem[] = [];
  const pages: number[] = [];
  let link: string | undefined = start;
  for (;;) {
    const page = await get(link, { prefer: `odata.maxpagesize=${pageSize}` });
    expect(page.status).toBe(200);
    const value = page.body.value as DeltaItem[];
    items.push(...value);
    pages.push(value.length);
    const next = page.body['@odata.nextLink'] as string | undefined;
    if (!next) return { items, pages, deltaLink: page.body['@odata.deltaLink'] as string };
    link = next;
  }
}

function mime(headers: string, body = 'Hello over Graph.'): string {
  return Buffer.from(
    `${headers.trim().split('\n').join('\r\n')}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`,
  ).toString('base64');
}

describe('messages delta over the Dovecot mailbox', () => {
  it('pages with odata.maxpagesize and nextLink, ends with a deltaLink, then reports additions and removals', async () => {
    await harness.seed.messages('alice@contoso.test', { count: 25, seed: 7 });
    const first = await deltaRound('/users/alice@contoso.test/mailFolders/inbox/messages/delta', 10);
    expect(first.pages).toEqual([10, 10, 5]);
    expect(new Set(first.items.map((i) => i.id)).size).toBe(25);
    expect(first.deltaLink).toContain('$deltatoken=');

    await harness.seed.messages('alice@contoso.test', { count: 2, seed: 8, offset: 25 });
    await harness.seed.expunge('alice@contoso.test', [1]);
    const second = await deltaRound(first.deltaLink, 10);
    const removed = second.items.filter((i) => i['@removed']);
    expect(removed).toEqual([
      { '@odata.type': '#microsoft.graph.message', id: first.items[0]?.id, '@removed': { reason: 'deleted' } },
    ]);
    expect(second.items.filter((i) => !i['@removed'])).toHaveLength(2);

    const third = await deltaRound(second.deltaLink, 10);
    expect(third.items).toEqual([]);
  });

  it('answers 410 Gone for an unknown delta token and for every token once the service dropped them', async () => {
    const gone = await get('/users/alice@contoso.test/mailFolders/inbox/messages/delta?$deltatoken=bogus');
    expect(gone.status).toBe(410);
    expect(gone.body.error?.code).toBe('syncStateNotFound');
    const round = await deltaRound('/users/alice@contoso.test/mailFolders/inbox/messages/delta', 50);
    harness.graph.delta.expireAll();
    expect((await get(round.deltaLink)).status).toBe(410);
  });

  it('serves $value byte for byte as IMAP serves BODY[]', async () => {
    const raw = Buffer.from(
      'From: x@example.test\nTo: alice@contoso.test\nSubject: bare LF and =?utf-8?q?caf=C3=A9?=\nMessage-ID: <bytes@example.test>\n\nline one\r\nline two\n',
    );
    await harness.seed.raw('alice@contoso.test', [raw]);
    const round = await deltaRound('/users/alice@contoso.test/mailFolders/inbox/messages/delta', 100);
    const item = round.items.find((i) => i.internetMessageId === '<bytes@example.test>');
    expect(item).toBeDefined();
    const value = await get(`/users/alice@contoso.test/messages/${item?.id ?? ''}/$value`);
    expect(value.status).toBe(200);

    const { access_token: accessToken } = await harness.control.issueTokens({ address: 'alice@contoso.test' });
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: harness.imapPort,
      secure: false,
      auth: { user: 'alice@contoso.test', accessToken },
      logger: false,
    });
    await imap.connect();
    try {
      await imap.mailboxOpen('INBOX');
      const uids = await imap.search({ header: { 'message-id': '<bytes@example.test>' } }, { uid: true });
      const fetched = await imap.fetchOne(String(uids && uids[0]), { source: true }, { uid: true });
      expect(fetched && fetched.source && value.bytes.equals(fetched.source)).toBe(true);
    } finally {
      await imap.logout();
    }
  });

  it('lists the mailbox folders with their counts', async () => {
    const folders = await get('/users/alice@contoso.test/mailFolders');
    const inbox = (folders.body.value as Array<{ displayName: string; totalItemCount: number }>).find(
      (f) => f.displayName === 'Inbox',
    );
    expect(inbox?.totalItemCount).toBe((await harness.seed.status('alice@contoso.test')).messages);
  });
});

describe('RBAC for Applications and throttling', () => {
  it('refuses a mailbox outside the app’s management scope with 403 ErrorAccessDenied', async () => {
    const scoped = (await appToken(harness, SCOPED, DEFAULT_TENANT.id)).body.access_token as string;
    expect((await graphCall(harness, scoped, '/users/alice@contoso.test/mailFolders')).status).toBe(200);
    const outside = await graphCall(harness, scoped, '/users/bob@contoso.test/mailFolders');
    expect(outside.status).toBe(403);
    expect(outside.body.error?.code).toBe('ErrorAccessDenied');
  });

  it('adds an unscoped Entra grant to the scoped one: the app then reaches every mailbox', async () => {
    const app = harness.emulator.state.directory.findApp(SCOPED.clientId);
    if (!app) throw new Error('app missing');
    app.applicationPermissions = ['Mail.Read'];
    try {
      const widened = (await appToken(harness, SCOPED, DEFAULT_TENANT.id)).body.access_token as string;
      expect((await graphCall(harness, widened, '/users/bob@contoso.test/mailFolders')).status).toBe(200);
    } finally {
      app.applicationPermissions = [];
    }
  });

  it('answers 429 with Retry-After while the switch is on, then serves again', async () => {
    harness.graph.throttle.arm(2, 7);
    for (let i = 0; i < 2; i += 1) {
      const throttled = await get('/users/alice@contoso.test/mailFolders');
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
      expect(throttled.body.error?.code).toBe('ApplicationThrottled');
    }
    expect((await get('/users/alice@contoso.test/mailFolders')).status).toBe(200);
  });

  it('in a storm refuses every n-th request, 429 and 503 in turn, and a request back before its Retry-After', async () => {
    harness.graph.throttle.storm({ count: 2, every: 2, retryAfterSeconds: 30 });
    const folders = '/users/alice@contoso.test/mailFolders';
    const other = '/users/bob@contoso.test/mailFolders';
    expect((await get(other)).status).toBe(200);
    const first = await get(folders);
    expect([first.status, first.headers.get('retry-after'), first.body.error?.code]).toEqual([
      429,
      '30',
      'ApplicationThrottled',
    ]);
    expect((await get(other)).status).toBe(200);
    const second = await get(other);
    expect([second.status, second.headers.get('retry-after'), second.body.error?.code]).toEqual([
      503,
      '30',
      'serviceNotAvailable',
    ]);
    // The storm is over, but the first request comes back 30 s too soon: refused again, and counted.
    expect((await get(folders)).status).toBe(429);
    expect(harness.graph.throttle).toMatchObject({ refused: 2, early: 1 });
    harness.graph.throttle.off();
  });
});

describe('sendMail with a MIME body', () => {
  it('answers 202, delivers to To/Cc/Bcc without the Bcc header and keeps a copy in Sent Items', async () => {
    const body = mime(
      `From: alice@contoso.test\nTo: bob@contoso.test\nBcc: carol@contoso.test\nSubject: Graph hello\nMessage-ID: <send-1@contoso.test>`,
    );
    const sent = await graphCall(harness, token, '/users/alice@contoso.test/sendMail', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
    });
    expect(sent.status).toBe(202);
    for (const address of ['bob@contoso.test', 'carol@contoso.test']) {
      const round = await deltaRound(`/users/${address}/mailFolders/inbox/messages/delta`, 50);
      const item = round.items.find((i) => i.internetMessageId === '<send-1@contoso.test>');
      expect(item?.subject).toBe('Graph hello');
      const value = await get(`/users/${address}/messages/${item?.id ?? ''}/$value`);
      expect(value.bytes.toString('latin1')).not.toMatch(/^bcc:/im);
    }
    const sentItems = await deltaRound('/users/alice@contoso.test/mailFolders/sentitems/messages/delta', 50);
    expect(sentItems.items.map((i) => i.subject)).toContain('Graph hello');
  });

  it('answers 403 ErrorSendAsDenied for a From the mailbox may not send as, and 400 for a body that is not base64', async () => {
    const denied = await graphCall(harness, token, '/users/bob@contoso.test/sendMail', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: mime('From: support@contoso.test\nTo: alice@contoso.test\nSubject: not mine'),
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error?.code).toBe('ErrorSendAsDenied');
    const allowed = await graphCall(harness, token, '/users/alice@contoso.test/sendMail', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: mime('From: support@contoso.test\nTo: bob@contoso.test\nSubject: as support'),
    });
    expect(allowed.status).toBe(202);
    const garbage = await graphCall(harness, token, '/users/alice@contoso.test/sendMail', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'not base64 at all!',
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error?.code).toBe('ErrorMimeContentInvalidBase64String');
  });
});

describe('$batch', () => {
  it('runs up to 20 requests, answers dependents of a failed one with 424 and refuses 21', async () => {
    const batch = await graphCall(harness, token, '/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: '/users/alice@contoso.test/mailFolders' },
          { id: '2', method: 'GET', url: '/users/nobody@contoso.test/mailFolders' },
          { id: '3', method: 'GET', url: '/users/bob@contoso.test/mailFolders', dependsOn: ['2'] },
          { id: '4', method: 'GET', url: '/users/bob@contoso.test/mailFolders', dependsOn: ['1'] },
        ],
      }),
    });
    expect(batch.status).toBe(200);
    const statuses = Object.fromEntries(
      (batch.body.responses as Array<{ id: string; status: number }>).map((r) => [r.id, r.status]),
    );
    expect(statuses).toEqual({ '1': 200, '2': 404, '3': 424, '4': 200 });

    const tooMany = await graphCall(harness, token, '/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: Array.from({ length: 21 }, (_, i) => ({
          id: String(i),
          method: 'GET',
          url: '/users/alice@contoso.test/mailFolders',
        })),
      }),
    });
    expect(tooMany.status).toBe(400);
  });

  it('answers in no set order, a $value in base64, and a throttled request with its own 429 in a 200', async () => {
    const raw = Buffer.from('Subject: batch\r\nMessage-ID: <batch-1@contoso.test>\r\n\r\nbytes \xff\x00\r\n', 'latin1');
    await harness.maildirs.deliver('carol@contoso.test', raw);
    const listing = await get('/users/carol@contoso.test/mailFolders/inbox/messages');
    const listed = listing.body.value as Array<{ id: string; internetMessageId: string }>;
    const id = listed.find((m) => m.internetMessageId === '<batch-1@contoso.test>')?.id ?? '';
    const post = (requests: unknown[]) =>
      graphCall(harness, token, '/$batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requests }),
      });
    const value = { method: 'GET', url: `/users/carol@contoso.test/messages/${id}/$value` };
    const folders = { method: 'GET', url: '/users/carol@contoso.test/mailFolders' };
    const batch = await post([
      { id: 'a', ...value },
      { id: 'b', ...folders },
      { id: 'c', ...folders },
    ]);
    expect(batch.status).toBe(200);
    const responses = batch.body.responses as Array<{ id: string; status: number; body: unknown }>;
    expect(responses.map((r) => r.id)).not.toEqual(['a', 'b', 'c']);
    const mime = responses.find((r) => r.id === 'a');
    expect(mime?.status).toBe(200);
    expect(Buffer.from(mime?.body as string, 'base64')).toEqual(raw);

    harness.graph.throttle.storm({ count: 1, every: 3, retryAfterSeconds: 5 });
    const throttled = await post([
      { id: 'a', ...folders },
      { id: 'b', ...folders },
    ]);
    harness.graph.throttle.off();
    expect(throttled.status).toBe(200);
    const inner = throttled.body.responses as Array<{ id: string; status: number; headers: Record<string, string> }>;
    expect(inner.map((r) => r.status).sort()).toEqual([200, 429]);
    expect(inner.find((r) => r.status === 429)?.headers['retry-after']).toBe('5');
  });
});
