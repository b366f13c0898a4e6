import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  addApplicationMailbox,
  appGraphClient,
  startChannelFixture,
  type ChannelFixture,
} from '@/test/support/channel';
import { serveRoute, type RouteServer } from '@/test/support/route-server';
import { waitFor } from '@/test/support/wait-for';

/**
 * Push end to end: the product's sync keeps a subscription at the Graph stand-in, the stand-in posts to the
 * notifications route (served here by a bare HTTP server calling the route's POST), and the route's after() work
 * (run here as soon as it is scheduled, collected so each test can wait for it) syncs through the normal path.
 */
const pending: Promise<unknown>[] = [];
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  after: (task: () => Promise<unknown>) => void pending.push(Promise.resolve().then(task)),
}));

// What the product logs, kept alongside the real logger so a test can read the lines a failure leaves.
const logged = vi.hoisted(() => [] as Array<{ level: string; args: unknown[] }>);
vi.mock('@/lib/logger', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/logger')>();
  return {
    ...real,
    logger: (scope: string) => {
      const inner = real.logger(scope);
      const record =
        (level: 'warn' | 'error' | 'info') =>
        (...args: unknown[]) => {
          logged.push({ level, args });
          (inner[level] as (...a: unknown[]) => void)(...args);
        };
      return { ...inner, warn: record('warn'), error: record('error'), info: record('info') };
    },
  };
});

const MAILBOX = 'push-a@contoso.test';
const MAILBOX_B = 'push-b@contoso.test';
let f: ChannelFixture;
let schema: typeof import('@/lib/db/schema');
let route: typeof import('@/app/api/v1/graph/notifications/route');
let runSync: typeof import('@/lib/sync/run').runSync;
let productSyncDeps: typeof import('@/lib/channels/microsoft365/sync-deps').productSyncDeps;
let server: RouteServer;
let notificationUrl: string;
let accountId: string;

beforeAll(async () => {
  server = await serveRoute((request) => route.POST(request));
  notificationUrl = `${server.url}/api/v1/graph/notifications`;
  process.env.GRAPH_NOTIFICATION_URL = notificationUrl;
  (globalThis as { __mailgateEnv?: unknown }).__mailgateEnv = undefined;
  f = await startChannelFixture({
    users: [{ address: MAILBOX }, { address: MAILBOX_B }],
    app: { rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: [MAILBOX, MAILBOX_B] }] },
  });
  schema = await import('@/lib/db/schema');
  route = await import('@/app/api/v1/graph/notifications/route');
  ({ runSync } = await import('@/lib/sync/run'));
  ({ productSyncDeps } = await import('@/lib/channels/microsoft365/sync-deps'));
  accountId = await addApplicationMailbox(f, MAILBOX);
});
afterAll(async () => {
  await Promise.allSettled(pending);
  await server?.close();
  await f?.stop();
  delete process.env.GRAPH_NOTIFICATION_URL;
});

const sync = () => runSync(productSyncDeps(f.db), { trigger: 'manual', accountIds: [accountId] });
const settle = async () => {
  while (pending.length) await Promise.all(pending.splice(0));
};
const post = (body: unknown, query = '') =>
  route.POST(
    new Request(`${notificationUrl}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
const subscriptionRow = async () =>
  (await f.db.select().from(schema.graphSubscriptions).where(eq(schema.graphSubscriptions.accountId, accountId)))[0];
const storedCount = async () =>
  (await f.db.select({ id: schema.messages.id }).from(schema.messages).where(eq(schema.messages.accountId, accountId)))
    .length;
const atGraph = (mailbox = MAILBOX) => f.harness.graph.subscriptions.list().find((s) => s.mailbox === mailbox);

/** Ends a subscription at Graph behind the product's back (as expiry would), with the app's own token. */
async function deleteAtGraph(id: string): Promise<void> {
  await (await appGraphClient(f)).delete(`/subscriptions/${id}`, { mailbox: MAILBOX });
}

describe('push through Graph change notifications', () => {
  it('echoes the validation token as text/plain 200', async () => {
    const response = await post('', '?validationToken=Validation%3A%20Testing%20123');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('Validation: Testing 123');
  });

  it('subscribes on the first sync and keeps only a hash of the clientState', async () => {
    await sync();
    const row = await subscriptionRow();
    const graph = atGraph();
    expect(row?.subscriptionId).toBe(graph?.id);
    expect(graph?.clientState).toBeTruthy();
    expect(row?.clientStateHash).toBe(
      createHash('sha256')
        .update(graph?.clientState ?? '')
        .digest('hex'),
    );
    expect(JSON.stringify(row)).not.toContain(graph?.clientState);
    expect(row?.notificationUrl).toBe(notificationUrl);
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
  });

  it('ignores a notification with a wrong clientState or an unknown subscription, still answering 202', async () => {
    const row = await subscriptionRow();
    const far = new Date(Date.now() + 3600_000);
    await f.db.update(schema.mailAccounts).set({ nextAttemptAt: far }).where(eq(schema.mailAccounts.id, accountId));
    for (const item of [
      { subscriptionId: row!.subscriptionId, clientState: 'wrong', changeType: 'created' },
      { subscriptionId: row!.subscriptionId, changeType: 'created' },
      { subscriptionId: 'unknown', clientState: atGraph()?.clientState, changeType: 'created' },
    ]) {
      const response = await post({ value: [item] });
      expect(response.status).toBe(202);
      expect(await response.text()).toBe('');
    }
    expect(pending).toHaveLength(0);
    const [account] = await f.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, accountId));
    expect(account?.nextAttemptAt.getTime()).toBe(far.getTime());
  });

  it('refuses a body over 1 MB and one that is not a notification collection', async () => {
    expect((await post('x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    expect((await post({ nothing: true })).status).toBe(400);
  });

  it('stores a message that arrives exactly once, synced by the notification', async () => {
    const before = await storedCount();
    await f.harness.seed.messages(MAILBOX, { count: 1, seed: 11 });
    await waitFor(
      'the notification answered 202',
      async () => f.harness.graph.subscriptions.deliveries.filter((d) => d.kind === 'change'),
      (deliveries) => deliveries.some((d) => d.statuses.at(-1) === 202),
    );
    await settle();
    expect(await storedCount()).toBe(before + 1);
    expect((await subscriptionRow())?.lastNotificationAt).not.toBeNull();
    await sync();
    expect(await storedCount()).toBe(before + 1);
  });

  it('syncs a pushed mailbox another pass holds once that pass lets it go', async () => {
    const { syncPushedMailboxes } = await import('@/lib/channels/microsoft365/graph-notifications');
    const before = await storedCount();
    await f.db
      .update(schema.mailAccounts)
      .set({ leaseOwner: 'another-pass', leaseExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(schema.mailAccounts.id, accountId));
    await f.harness.seed.messages(MAILBOX, { count: 1, seed: 12 });
    const pushed = syncPushedMailboxes(f.db, [accountId], { retries: 20, pauseMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await storedCount()).toBe(before);
    await f.db
      .update(schema.mailAccounts)
      .set({ leaseOwner: null, leaseExpiresAt: null })
      .where(eq(schema.mailAccounts.id, accountId));
    await pushed;
    await settle();
    expect(await storedCount()).toBe(before + 1);
  });

  it('renews on reauthorizationRequired, through the mailbox’s leased sync', async () => {
    const id = (await subscriptionRow())!.subscriptionId;
    expect(await f.harness.graph.subscriptions.sendLifecycle(id, 'reauthorizationRequired')).toEqual([202]);
    await settle();
    const row = await subscriptionRow();
    expect(row?.subscriptionId).toBe(id);
    expect(row?.renewedAt).not.toBeNull();
    expect(row?.lastLifecycleEvent).toBeNull();
  });

  it('renews when less than a day is left, and subscribes again after subscriptionRemoved', async () => {
    const id = (await subscriptionRow())!.subscriptionId;
    const soon = new Date(Date.now() + 3600_000);
    await f.db
      .update(schema.graphSubscriptions)
      .set({ expiresAt: soon, renewedAt: null })
      .where(eq(schema.graphSubscriptions.accountId, accountId));
    await sync();
    const renewed = await subscriptionRow();
    expect(renewed?.subscriptionId).toBe(id);
    expect(renewed!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);

    await f.harness.graph.subscriptions.sendLifecycle(id, 'subscriptionRemoved');
    await settle();
    const again = await subscriptionRow();
    expect(again?.subscriptionId).not.toBe(id);
    expect(again?.subscriptionId).toBe(atGraph()?.id);
  });

  it('shows on the account page whether push is active, or what it needs', async () => {
    const { PushStatus } = await import('@/app/(console)/channels/microsoft365/accounts/[id]/push-status');
    const render = async (account: { id: string; transport: 'imap' | 'graph' }) => {
      const element = await PushStatus({ account });
      return element ? renderToStaticMarkup(element) : '';
    };
    expect(await render({ id: accountId, transport: 'graph' })).toContain('push: active until');
    expect(await render({ id: accountId, transport: 'imap' })).toBe('');
    const cache = globalThis as { __mailgateEnv?: unknown };
    delete process.env.GRAPH_NOTIFICATION_URL;
    cache.__mailgateEnv = undefined;
    try {
      expect(await render({ id: accountId, transport: 'graph' })).toContain(
        'push not set up (needs a public https URL: GRAPH_NOTIFICATION_URL)',
      );
    } finally {
      process.env.GRAPH_NOTIFICATION_URL = notificationUrl;
      cache.__mailgateEnv = undefined;
    }
  });

  it('after Graph refuses an unreachable URL, does not ask again for every mailbox', async () => {
    const { keepPushSubscription } = await import('@/lib/channels/microsoft365/push-subscriptions');
    const { syncAccountColumns } = await import('@/lib/db/queries/sync-leases');
    const [account] = await f.db
      .select(syncAccountColumns)
      .from(schema.mailAccounts)
      .where(eq(schema.mailAccounts.id, accountId));
    const mailbox = await productSyncDeps(f.db).graphMailbox!(account!);
    const unreachable = 'http://127.0.0.1:9/api/v1/graph/notifications';
    const created: string[] = [];
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (init?.method === 'POST' && url.endsWith('/v1.0/subscriptions')) created.push(url);
      return realFetch(input, init);
    });
    try {
      await keepPushSubscription(f.db, account!, mailbox, { notificationUrl: unreachable });
      await keepPushSubscription(f.db, account!, mailbox, { notificationUrl: unreachable });
    } finally {
      spy.mockRestore();
    }
    expect(created).toHaveLength(1);
  });

  it('ends the subscription at Graph when the mailbox is disabled, and subscribes again once it is enabled', async () => {
    const { setAccountEnabled } = await import('@/lib/channels/microsoft365/accounts');
    await sync();
    const before = atGraph()?.id;
    expect(before).toBeTruthy();
    expect((await setAccountEnabled(f.db, f.admin, accountId, false)).ok).toBe(true);
    expect(atGraph()).toBeUndefined();
    expect(await subscriptionRow()).toBeUndefined();

    expect((await setAccountEnabled(f.db, f.admin, accountId, true)).ok).toBe(true);
    await sync();
    const again = atGraph()?.id;
    expect(again).toBeTruthy();
    expect(again).not.toBe(before);
    expect((await subscriptionRow())?.subscriptionId).toBe(again);
  });

  it('counts a subscription Graph no longer knows (404) as ended', async () => {
    const { setAccountEnabled } = await import('@/lib/channels/microsoft365/accounts');
    await deleteAtGraph(atGraph()!.id);
    expect(atGraph()).toBeUndefined();
    logged.length = 0;
    expect((await setAccountEnabled(f.db, f.admin, accountId, false)).ok).toBe(true);
    expect(await subscriptionRow()).toBeUndefined();
    expect(logged.filter((line) => line.level !== 'info')).toEqual([]);
    await setAccountEnabled(f.db, f.admin, accountId, true);
  });

  it('subscribes again when a renewal finds Graph no longer knows the subscription (404)', async () => {
    await sync();
    const id = (await subscriptionRow())!.subscriptionId;
    await deleteAtGraph(id);
    await f.db
      .update(schema.graphSubscriptions)
      .set({ expiresAt: new Date(Date.now() + 3600_000) })
      .where(eq(schema.graphSubscriptions.accountId, accountId));
    await sync();
    const again = atGraph()?.id;
    expect(again).toBeTruthy();
    expect(again).not.toBe(id);
    expect((await subscriptionRow())?.subscriptionId).toBe(again);
  });

  it('removes a mailbox even when Graph refuses to end its subscription, logging no secret', async () => {
    const { removeAccount } = await import('@/lib/channels/microsoft365/accounts');
    const idB = await addApplicationMailbox(f, MAILBOX_B);
    await runSync(productSyncDeps(f.db), { trigger: 'manual', accountIds: [idB] });
    const subscription = atGraph(MAILBOX_B);
    expect(subscription).toBeTruthy();
    logged.length = 0;
    f.harness.graph.throttle.arm(10, 600);
    try {
      expect((await removeAccount(f.db, f.admin, idB, true)).ok).toBe(true);
    } finally {
      f.harness.graph.throttle.off();
    }
    const [row] = await f.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, idB));
    expect(row?.removedAt).not.toBeNull();
    expect(row?.tokenCacheSealed).toBeNull();
    expect(atGraph(MAILBOX_B)?.id).toBe(subscription?.id);
    const warnings = logged.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.args[0]).toEqual({ accountId: idB, failure: 'ApplicationThrottled' });
    const text = JSON.stringify(logged);
    expect(text).not.toContain(subscription?.clientState);
    expect(text).not.toMatch(/eyJ|Bearer|secret/i);
  });
});
