import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from './emulator/model';
import { startHarness, type Harness } from './fixture';
import { appToken, graphCall } from './graph-client';
import { waitFor } from '../support/wait-for';

const DAEMON = { clientId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', clientSecret: 'daemon~secret' };
const OTHER = { clientId: '8d4e5f60-7182-4d9e-9fa0-2b3c4d5e6f70', clientSecret: 'other~secret' };
const redirectUris = ['http://127.0.0.1:3999/cb'];
const RESOURCE = "users/alice@contoso.test/mailFolders('inbox')/messages";

/** A webhook endpoint whose behaviour the test sets: how it answers validation and notifications. */
const endpoint = {
  url: '',
  validation: 'echo' as 'echo' | 'wrong' | 'json',
  notificationStatus: 202,
  received: [] as Array<{ path: string; body: { value: Array<Record<string, unknown>> } }>,
};

let harness: Harness;
let token: string;
let otherToken: string;
let server: ReturnType<typeof createServer>;

function answer(req: IncomingMessage, res: ServerResponse, body: string) {
  const url = new URL(req.url ?? '/', 'http://x');
  const validationToken = url.searchParams.get('validationToken');
  if (validationToken !== null) {
    if (endpoint.validation === 'json') res.writeHead(200, { 'content-type': 'application/json' });
    else res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(endpoint.validation === 'wrong' ? 'nope' : validationToken);
    return;
  }
  endpoint.received.push({ path: url.pathname, body: JSON.parse(body) as (typeof endpoint.received)[number]['body'] });
  res.writeHead(endpoint.notificationStatus);
  res.end();
}

beforeAll(async () => {
  harness = await startHarness({
    users: [{ address: 'alice@contoso.test' }],
    apps: [
      { ...DAEMON, redirectUris, tenant: DEFAULT_TENANT.id, applicationPermissions: ['Mail.ReadWrite'] },
      { ...OTHER, redirectUris, tenant: DEFAULT_TENANT.id, applicationPermissions: ['Mail.ReadWrite'] },
    ],
  });
  token = (await appToken(harness, DAEMON, DEFAULT_TENANT.id)).body.access_token as string;
  otherToken = (await appToken(harness, OTHER, DEFAULT_TENANT.id)).body.access_token as string;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await harness?.stop();
});

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function subscribe(overrides: Record<string, unknown> = {}, as = token) {
  return graphCall(harness, as, '/subscriptions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      changeType: 'created',
      resource: RESOURCE,
      notificationUrl: `${endpoint.url}/notify`,
      lifecycleNotificationUrl: `${endpoint.url}/lifecycle`,
      expirationDateTime: inMinutes(60),
      clientState: 'state-123',
      ...overrides,
    }),
  });
}

describe('Graph subscriptions on the Inbox', () => {
  it('refuses a subscription whose endpoint does not echo the validation token as text/plain', async () => {
    endpoint.validation = 'wrong';
    expect((await subscribe()).status).toBe(400);
    endpoint.validation = 'json';
    expect((await subscribe()).status).toBe(400);
    endpoint.validation = 'echo';
    expect(harness.graph.subscriptions.list()).toHaveLength(0);
  });

  it('refuses an expiration beyond 10,080 minutes and accepts one within, for create and renew', async () => {
    expect((await subscribe({ expirationDateTime: inMinutes(10_081) })).status).toBe(400);
    const created = await subscribe({ expirationDateTime: inMinutes(10_070) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const patch = (minutes: number, as = token) =>
      graphCall(harness, as, `/subscriptions/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ expirationDateTime: inMinutes(minutes) }),
      });
    expect((await patch(10_100)).status).toBe(400);
    const renewed = await patch(120);
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.expirationDateTime as string)).toBeLessThan(Date.now() + 121 * 60_000);
    expect((await patch(120, otherToken)).status).toBe(404);
    expect((await graphCall(harness, token, `/subscriptions/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await graphCall(harness, token, `/subscriptions/${id}`)).status).toBe(404);
  });

  it('posts a created notification when mail arrives in the Inbox, and retries until it gets 202', async () => {
    const created = await subscribe();
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    endpoint.received.length = 0;
    endpoint.notificationStatus = 500;
    await harness.seed.messages('alice@contoso.test', { count: 1, seed: 3 });
    await waitFor(
      'a notification',
      async () => endpoint.received.length,
      (n) => n >= 1,
    );
    endpoint.notificationStatus = 202;
    await waitFor(
      'a delivery answered 202',
      async () => harness.graph.subscriptions.deliveries.find((d) => d.subscriptionId === id)?.statuses ?? [],
      (statuses) => statuses.at(-1) === 202,
    );
    const item = endpoint.received[0]?.body.value[0];
    expect(harness.graph.subscriptions.deliveries.find((d) => d.subscriptionId === id)?.statuses[0]).toBe(500);
    expect(endpoint.received[0]?.path).toBe('/notify');
    expect(item).toMatchObject({ subscriptionId: id, changeType: 'created', clientState: 'state-123' });
    expect(item?.tenantId).toBe(DEFAULT_TENANT.id);
    expect(item?.resource).toMatch(/^Users\/.+\/Messages\/.+/);
    expect(typeof item?.subscriptionExpirationDateTime).toBe('string');
    await graphCall(harness, token, `/subscriptions/${id}`, { method: 'DELETE' });
  });

  it('sends lifecycle notifications to the lifecycle URL; subscriptionRemoved ends the subscription', async () => {
    const id = (await subscribe()).body.id as string;
    endpoint.received.length = 0;
    expect(await harness.graph.subscriptions.sendLifecycle(id, 'reauthorizationRequired')).toEqual([202]);
    expect(endpoint.received[0]).toMatchObject({ path: '/lifecycle' });
    expect(endpoint.received[0]?.body.value[0]).toMatchObject({
      subscriptionId: id,
      lifecycleEvent: 'reauthorizationRequired',
      clientState: 'state-123',
    });
    await harness.graph.subscriptions.sendLifecycle(id, 'subscriptionRemoved');
    expect((await graphCall(harness, token, `/subscriptions/${id}`)).status).toBe(404);
  });
});
