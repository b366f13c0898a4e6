import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMime, plainMessageOptions } from '@/lib/mail/compose';
import { appTokenSource } from '@/lib/microsoft/app-token';
import { cloudEndpoints, type CloudEndpoints } from '@/lib/microsoft/clouds';
import { createGraphClient, type GraphClientOptions } from '@/lib/microsoft/graph/client';
import { explainGraphSendFailure } from '@/lib/microsoft/graph/explain-send';
import { GraphFailure } from '@/lib/microsoft/graph/failure';
import { sendMimeThroughGraph, SEND_MAIL_MAX_REQUEST_BYTES } from '@/lib/microsoft/graph/send-mail';
import { DEFAULT_TENANT } from './harness/emulator/model';
import { startHarness, type Harness } from './harness/fixture';

const SENDER = { clientId: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a', clientSecret: 'sender~secret' };
const SCOPED = { clientId: '9e8d7c6b-5a49-4382-8716-05f4e3d2c1b0', clientSecret: 'scoped~secret' };
const redirectUris = ['http://127.0.0.1:3999/cb'];
const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';
const SALES = 'sales@contoso.test';

let harness: Harness;
let endpoints: CloudEndpoints;

beforeAll(async () => {
  harness = await startHarness({
    users: [
      { address: ALICE },
      { address: BOB },
      { address: 'carol@contoso.test' },
      { address: SALES, kind: 'shared', fullAccess: [ALICE], sendAs: [ALICE] },
      { address: 'gina@fabrikam.test', kind: 'guest', tenant: 'contoso.test' },
    ],
    apps: [
      { ...SENDER, redirectUris, tenant: DEFAULT_TENANT.id, applicationPermissions: ['Mail.Send'] },
      {
        ...SCOPED,
        redirectUris,
        tenant: DEFAULT_TENANT.id,
        rbacAssignments: [{ role: 'Application Mail.Send', mailboxes: [ALICE] }],
      },
    ],
  });
  endpoints = cloudEndpoints('global', harness.endpointOverrides);
});
afterAll(() => harness.stop());

function client(app = SENDER, options: Partial<GraphClientOptions> = {}) {
  const token = appTokenSource({ ...app, tenant: DEFAULT_TENANT.id, endpoints });
  return createGraphClient({ baseUrl: endpoints.graphBaseUrl, token, ...options });
}

const caught = async (promise: Promise<unknown>): Promise<GraphFailure> =>
  promise.then(
    () => {
      throw new Error('expected a GraphFailure');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(GraphFailure);
      return e as GraphFailure;
    },
  );

/** Every file delivered to a mailbox folder whose bytes contain `marker`. */
async function delivered(address: string, marker: string, folder = 'INBOX'): Promise<Buffer[]> {
  const path = harness.maildirs.folderPath(address, folder);
  const found: Buffer[] = [];
  for (const sub of ['new', 'cur']) {
    const names = await readdir(join(path, sub)).catch(() => [] as string[]);
    for (const name of names) {
      const raw = await readFile(join(path, sub, name));
      if (raw.includes(marker)) found.push(raw);
    }
  }
  return found;
}

/** The message as the product builds it for Send test message, with the mail-flow check's marker header. */
const message = (from: string, marker: string, extra: Record<string, unknown> = {}) =>
  composeMime({
    ...plainMessageOptions(
      from,
      { to: BOB, subject: `Graph send ${marker}`, body: `Hello Bob,\r\nthis is ${marker}.\r\n` },
      { 'X-Mailgate-Check': marker },
    ),
    ...extra,
  });

/** The header fields (unfolded lines kept as sent) and the body of a message. */
function split(raw: Buffer): { fields: string[]; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  const fields = raw
    .subarray(0, end)
    .toString('latin1')
    .split(/\r\n(?![ \t])/);
  return { fields, body: raw.subarray(end + 4) };
}

describe('sendMimeThroughGraph', () => {
  it('delivers the product’s own MIME bytes: body and headers arrive as composed, Bcc only as a recipient', async () => {
    const marker = `graph-send-${Date.now()}`;
    const mime = await message(ALICE, marker, { bcc: 'carol@contoso.test' });
    await sendMimeThroughGraph(client(), { mailbox: ALICE, mime });

    const sent = split(mime);
    expect(sent.fields.some((f) => f.startsWith('Bcc: '))).toBe(true);
    const [atBob] = await delivered(BOB, marker);
    if (!atBob) throw new Error('nothing delivered to Bob');
    const received = split(atBob);
    // Exchange may add trace fields of its own; each field the product set arrives unchanged, the body byte for byte.
    expect(received.body.equals(sent.body)).toBe(true);
    for (const field of sent.fields.filter((f) => !f.startsWith('Bcc: '))) expect(received.fields).toContain(field);
    expect(received.fields).toContain(`X-Mailgate-Check: ${marker}`);
    expect(received.fields.some((f) => f.startsWith('Bcc: '))).toBe(false);
    expect(await delivered('carol@contoso.test', marker)).toHaveLength(1);
    // sendMail saves the message in the sender's Sent Items (user-sendmail).
    const [copy] = await delivered(ALICE, marker, 'Sent Items');
    expect(copy?.equals(mime)).toBe(true);
  });

  it('sends From a shared mailbox the sender holds Send As on', async () => {
    const marker = `graph-sendas-${Date.now()}`;
    await sendMimeThroughGraph(client(), { mailbox: ALICE, mime: await message(SALES, marker) });
    const [atBob] = await delivered(BOB, marker);
    expect(atBob?.toString()).toMatch(/^From: sales@contoso\.test\r$/m);
  });

  it('explains a From without Send As as the Exchange permission to grant', async () => {
    const marker = `graph-denied-${Date.now()}`;
    const failure = await caught(sendMimeThroughGraph(client(), { mailbox: BOB, mime: await message(SALES, marker) }));
    expect(failure).toMatchObject({ kind: 'send_as_denied', code: 'ErrorSendAsDenied', details: { status: 403 } });
    const explained = explainGraphSendFailure(failure, { mailbox: BOB, fromAddress: SALES });
    expect(explained).toMatchObject({
      code: 'graph.send_as_denied',
      title: 'bob@contoso.test may not send as sales@contoso.test.',
      whoActs: 'azure_admin',
    });
    expect(explained.action).toContain(
      'Add-RecipientPermission -Identity sales@contoso.test -Trustee bob@contoso.test -AccessRights SendAs',
    );
    expect(await delivered(BOB, marker)).toHaveLength(0);
  });

  it('explains a mailbox outside the app’s RBAC scope with the role assignment to make', async () => {
    const scoped = client(SCOPED);
    const inScope = `graph-scope-${Date.now()}`;
    await sendMimeThroughGraph(scoped, { mailbox: ALICE, mime: await message(ALICE, inScope) });
    expect(await delivered(BOB, inScope)).toHaveLength(1);

    const failure = await caught(sendMimeThroughGraph(scoped, { mailbox: BOB, mime: await message(BOB, 'x') }));
    expect(failure).toMatchObject({ kind: 'access_denied', code: 'ErrorAccessDenied' });
    const explained = explainGraphSendFailure(failure, { mailbox: BOB });
    expect(explained.title).toBe('The app may not send mail as bob@contoso.test through Microsoft Graph.');
    expect(explained.action).toContain('-Role "Application Mail.Send"');
    expect(explained.action).toContain('Test-ServicePrincipalAuthorization');
  });

  it('explains a user without an Exchange Online mailbox', async () => {
    const mailbox = 'gina@fabrikam.test';
    const failure = await caught(sendMimeThroughGraph(client(), { mailbox, mime: await message(mailbox, 'x') }));
    expect(failure).toMatchObject({ kind: 'mailbox_unavailable', code: 'MailboxNotEnabledForRESTAPI' });
    expect(explainGraphSendFailure(failure, { mailbox }).explanation).toMatch(/no mailbox in Exchange Online/);
  });

  it('refuses a message over the 4 MB request limit before any request', async () => {
    let requests = 0;
    const counting = client(SENDER, { fetch: (...args) => ((requests += 1), fetch(...args)) });
    // 3 MiB + 1 KiB of MIME is over 4 MiB once base64-encoded.
    const mime = await message(ALICE, 'big', { text: 'a'.repeat(3 * 1024 * 1024 + 1024) });
    const failure = await caught(sendMimeThroughGraph(counting, { mailbox: ALICE, mime }));
    expect(failure).toMatchObject({ kind: 'message_too_large', code: 'request_too_large' });
    expect(requests).toBe(0);
    expect(explainGraphSendFailure(failure).title).toBe('The message is too large to send through Microsoft Graph.');
  });

  it('the stand-in answers 413 to a request over 4 MB, as Graph does', async () => {
    const bytes = Buffer.alloc(SEND_MAIL_MAX_REQUEST_BYTES + 4, 'A');
    const failure = await caught(
      client().post(`/users/${ALICE}/sendMail`, { contentType: 'text/plain', bytes }, { mailbox: ALICE }),
    );
    expect(failure).toMatchObject({ kind: 'message_too_large', details: { status: 413 } });
  });

  it('explains a message over the mailbox’s MaxSendSize as the Set-Mailbox fix', async () => {
    await harness.control.updateUser(ALICE, { maxSendBytes: 2_000 });
    try {
      const mime = await message(ALICE, 'size', { text: 'b'.repeat(3_000) });
      const failure = await caught(sendMimeThroughGraph(client(), { mailbox: ALICE, mime }));
      expect(failure).toMatchObject({ kind: 'message_too_large', code: 'ErrorMessageSizeExceeded' });
      expect(explainGraphSendFailure(failure, { mailbox: ALICE }).action).toContain(
        'Set-Mailbox -Identity alice@contoso.test -MaxSendSize 150MB',
      );
    } finally {
      await harness.control.updateUser(ALICE, { maxSendBytes: 35 * 1024 * 1024 });
    }
  });

  it('waits out a 429’s Retry-After and sends the message once', async () => {
    const waits: number[] = [];
    const graph = client(SENDER, { sleep: async (ms) => void waits.push(ms) });
    harness.graph.throttle.arm(2, 3);
    const marker = `graph-429-${Date.now()}`;
    await sendMimeThroughGraph(graph, { mailbox: ALICE, mime: await message(ALICE, marker) });
    expect(waits).toEqual([3000, 3000]);
    expect(await delivered(BOB, marker)).toHaveLength(1);
  });

  it('gives up on a long throttle with a sentence that says nothing was sent', async () => {
    const graph = client(SENDER, { maxRetries: 1, sleep: async () => undefined });
    harness.graph.throttle.arm(5, 30);
    const marker = `graph-throttled-${Date.now()}`;
    try {
      const failure = await caught(sendMimeThroughGraph(graph, { mailbox: ALICE, mime: await message(ALICE, marker) }));
      expect(failure).toMatchObject({ kind: 'throttled', details: { retryAfterMs: 30_000 } });
      expect(explainGraphSendFailure(failure)).toMatchObject({
        code: 'graph.throttled',
        title: 'Microsoft Graph is throttling this mailbox; the message was not sent.',
        retryAfterMs: 30_000,
      });
    } finally {
      harness.graph.throttle.off();
    }
    expect(await delivered(BOB, marker)).toHaveLength(0);
  });
});
