import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appTokenSource } from '@/lib/microsoft/app-token';
import { cloudEndpoints, type CloudEndpoints } from '@/lib/microsoft/clouds';
import { ExplainedFault, explainIdentityError } from '@/lib/microsoft/errors';
import { createGraphClient, type GraphClientOptions } from '@/lib/microsoft/graph/client';
import { explainGraphFailure } from '@/lib/microsoft/graph/explain';
import { GraphFailure } from '@/lib/microsoft/graph/failure';
import { readFolderDelta, type FolderDeltaPage } from '@/lib/microsoft/graph/folder-delta';
import { DEFAULT_TENANT } from './harness/emulator/model';
import { startHarness, type Harness } from './harness/fixture';

const DAEMON = { clientId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', clientSecret: 'daemon~secret' };
const SCOPED = { clientId: '8d4e5f60-7182-4d9e-9fa0-2b3c4d5e6f70', clientSecret: 'scoped~secret' };
const redirectUris = ['http://127.0.0.1:3999/cb'];
const folders = z.object({ value: z.array(z.object({ id: z.string(), displayName: z.string() })) });

let harness: Harness;
let endpoints: CloudEndpoints;

beforeAll(async () => {
  harness = await startHarness({
    users: ['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => ({ address: `${name}@contoso.test` })),
    apps: [
      { ...DAEMON, redirectUris, tenant: DEFAULT_TENANT.id, applicationPermissions: ['Mail.ReadWrite'] },
      {
        ...SCOPED,
        redirectUris,
        tenant: DEFAULT_TENANT.id,
        rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: ['alice@contoso.test'] }],
      },
    ],
  });
  endpoints = cloudEndpoints('global', harness.endpointOverrides);
});
afterAll(() => harness.stop());

function client(app = DAEMON, options: Partial<GraphClientOptions> = {}) {
  const token = appTokenSource({ ...app, tenant: DEFAULT_TENANT.id, endpoints });
  return createGraphClient({ baseUrl: endpoints.graphBaseUrl, token, ...options });
}

async function collect(graph: ReturnType<typeof client>, request: Parameters<typeof readFolderDelta>[1]) {
  const pages: FolderDeltaPage[] = [];
  const outcome = await readFolderDelta(graph, request, async (page) => void pages.push(page));
  return { pages, outcome, messages: pages.flatMap((p) => p.messages), removed: pages.flatMap((p) => p.removed) };
}

const caught = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('app-only tokens through msal', () => {
  it('acquires a Graph token with the client-credentials grant that opens any mailbox of the tenant', async () => {
    const answer = await client().json('/users/bob@contoso.test/mailFolders', folders, { mailbox: 'bob@contoso.test' });
    expect(answer.value.map((f) => f.displayName)).toContain('Inbox');
  });

  it('explains a wrong client secret as AADSTS7000215, an app-wide fix', async () => {
    const token = appTokenSource({ ...DAEMON, clientSecret: 'wrong', tenant: DEFAULT_TENANT.id, endpoints });
    const error = await caught(token({ forceRefresh: false }));
    expect(error).toBeInstanceOf(ExplainedFault);
    expect((error as ExplainedFault).explained).toMatchObject({ code: 'AADSTS7000215', scope: 'app' });
    expect((error as ExplainedFault).explained.raw).not.toContain('wrong');
  });

  it('explains a multi-tenant alias as the directory to enter instead', async () => {
    // msal-node refuses `organizations` for this grant before asking; Entra itself answers AADSTS9001023.
    const token = appTokenSource({ ...DAEMON, tenant: 'organizations', endpoints });
    const error = await caught(token({ forceRefresh: false }));
    expect((error as ExplainedFault).explained).toMatchObject({
      code: 'missing_tenant_id_error',
      scope: 'config',
      title: expect.stringMatching(/organisation’s own directory/),
    });
    expect(explainIdentityError({ errorCodes: [9001023] }).title).toMatch(/organisation’s own directory/);
  });
});

describe('Graph failures', () => {
  it('turns a mailbox outside the app’s RBAC scope into a typed access-denied failure', async () => {
    const scoped = client(SCOPED);
    await expect(
      scoped.json('/users/alice@contoso.test/mailFolders', folders, { mailbox: 'alice' }),
    ).resolves.toBeTruthy();
    const error = await caught(scoped.json('/users/bob@contoso.test/mailFolders', folders, { mailbox: 'bob' }));
    expect(error).toBeInstanceOf(GraphFailure);
    expect(error).toMatchObject({ kind: 'access_denied', code: 'ErrorAccessDenied', details: { status: 403 } });
    const explained = explainGraphFailure(error as GraphFailure, { mailbox: 'bob@contoso.test' });
    expect(explained).toMatchObject({
      code: 'graph.access_denied',
      whoActs: 'azure_admin',
      raw: expect.stringContaining('ErrorAccessDenied'),
    });
    expect(explained.action).toContain('Test-ServicePrincipalAuthorization');
    expect(explained.action).toContain('bob@contoso.test');
  });

  it('names an unknown mailbox as unavailable, not as a missing message', async () => {
    const error = await caught(client().json('/users/nobody@contoso.test/mailFolders', folders, { mailbox: 'x' }));
    expect(error).toMatchObject({ kind: 'mailbox_unavailable', code: 'ErrorInvalidUser' });
  });

  it('never sends the token to a link on another origin', async () => {
    let calls = 0;
    const graph = client(DAEMON, { fetch: (...args) => ((calls += 1), fetch(...args)) });
    const error = await caught(graph.json('https://attacker.test/v1.0/users', folders, { mailbox: 'alice' }));
    expect(error).toMatchObject({ kind: 'invalid_response', code: 'foreign_link' });
    expect(calls).toBe(0);
  });
});

describe('throttling', () => {
  it('waits out each 429’s Retry-After and then succeeds', async () => {
    const waits: number[] = [];
    const graph = client(DAEMON, { sleep: async (ms) => void waits.push(ms) });
    harness.graph.throttle.arm(3, 2);
    const answer = await graph.json('/users/dave@contoso.test/mailFolders', folders, { mailbox: 'dave' });
    expect(answer.value.length).toBeGreaterThan(0);
    expect(waits).toEqual([2000, 2000, 2000]);
  });

  it('really sleeps for Retry-After (a 1 s storm of two answers costs about two seconds)', async () => {
    harness.graph.throttle.arm(2, 1);
    const started = performance.now();
    await client().json('/users/dave@contoso.test/mailFolders', folders, { mailbox: 'dave' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1950);
  });

  it('gives up after its retries with a throttled failure that carries the wait', async () => {
    const waits: number[] = [];
    const graph = client(DAEMON, { maxRetries: 2, sleep: async (ms) => void waits.push(ms) });
    harness.graph.throttle.arm(10, 7);
    try {
      const error = await caught(graph.json('/users/dave@contoso.test/mailFolders', folders, { mailbox: 'dave' }));
      expect(error).toMatchObject({ kind: 'throttled', code: 'ApplicationThrottled', details: { retryAfterMs: 7000 } });
      expect(waits).toEqual([7000, 7000]);
      expect(explainGraphFailure(error as GraphFailure)).toMatchObject({ code: 'graph.throttled', retryAfterMs: 7000 });
    } finally {
      harness.graph.throttle.off();
    }
  });

  it('keeps at most four requests in flight to one mailbox', async () => {
    await harness.seed.messages('erin@contoso.test', { count: 30, seed: 3 });
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (...args) => {
      peak = Math.max(peak, (inFlight += 1));
      try {
        return await fetch(...args);
      } finally {
        inFlight -= 1;
      }
    };
    const { messages } = await collect(client(DAEMON, { fetch: counting }), {
      mailbox: 'erin@contoso.test',
      folder: 'inbox',
      pageSize: 30,
    });
    expect(messages).toHaveLength(30);
    expect(peak).toBe(4);
  });
});

describe('folder delta', () => {
  it('pages to the deltaLink with each message’s MIME source, then reads only what changed', async () => {
    await harness.seed.messages('alice@contoso.test', { count: 25, seed: 7 });
    const first = await collect(client(), { mailbox: 'alice@contoso.test', folder: 'inbox', pageSize: 10 });
    expect(first.pages.map((p) => p.messages.length)).toEqual([10, 10, 5]);
    expect(first.pages.map((p) => Boolean(p.deltaLink))).toEqual([false, false, true]);
    expect(first.outcome).toEqual({ outcome: 'complete', deltaLink: first.pages[2]?.deltaLink });
    expect(new Set(first.messages.map((m) => m.graphId)).size).toBe(25);
    for (const message of first.messages) {
      expect(message.internetMessageId).toMatch(/^<.+@.+>$/);
      expect(message.raw.toString('latin1')).toContain(`Message-ID: ${message.internetMessageId ?? ''}`);
    }
    if (first.outcome.outcome !== 'complete') throw new Error('unreachable');

    await harness.seed.messages('alice@contoso.test', { count: 2, seed: 8, offset: 25 });
    await harness.seed.expunge('alice@contoso.test', [1]);
    const second = await collect(client(), {
      mailbox: 'alice@contoso.test',
      folder: 'inbox',
      link: first.outcome.deltaLink,
    });
    expect(second.messages).toHaveLength(2);
    expect(second.messages.some((m) => first.messages.some((f) => f.graphId === m.graphId))).toBe(false);
    expect(second.removed).toEqual([first.messages[0]?.graphId]);
    if (second.outcome.outcome !== 'complete') throw new Error('unreachable');

    const third = await collect(client(), {
      mailbox: 'alice@contoso.test',
      folder: 'inbox',
      link: second.outcome.deltaLink,
    });
    expect(third.messages).toEqual([]);
    expect(third.outcome.outcome).toBe('complete');
  });

  it('reports a restart, not an error, when Graph no longer knows the delta token', async () => {
    await harness.seed.messages('carol@contoso.test', { count: 3, seed: 9 });
    const graph = client();
    const first = await collect(graph, { mailbox: 'carol@contoso.test', folder: 'inbox' });
    if (first.outcome.outcome !== 'complete') throw new Error('first round did not complete');
    const bogus = first.outcome.deltaLink.replace(/\$deltatoken=[^&]+/, '$deltatoken=bogus');
    const invalid = await collect(graph, { mailbox: 'carol@contoso.test', folder: 'inbox', link: bogus });
    expect(invalid.outcome).toEqual({ outcome: 'restart', code: 'syncStateNotFound' });
    expect(invalid.pages).toEqual([]);

    harness.graph.delta.expireAll();
    const expired = await collect(graph, {
      mailbox: 'carol@contoso.test',
      folder: 'inbox',
      link: first.outcome.deltaLink,
    });
    expect(expired.outcome).toEqual({ outcome: 'restart', code: 'syncStateNotFound' });
    const again = await collect(graph, { mailbox: 'carol@contoso.test', folder: 'inbox' });
    expect(again.messages.map((m) => m.graphId).sort()).toEqual(first.messages.map((m) => m.graphId).sort());
  });
});
