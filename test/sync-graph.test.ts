import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  addApplicationMailbox,
  appGraphClient,
  startChannelFixture,
  type ChannelFixture,
} from '@/test/support/channel';

/**
 * The Graph transport end to end: accounts whose transport is 'graph' synced by runSync with the product's deps
 * (tokens from acquireAccountAccess, Graph at MICROSOFT_GRAPH_URL), against the Graph stand-in over Dovecot's
 * maildirs and Postgres.
 */

// Application access reaches these mailboxes through RBAC for Applications only (no unscoped Entra grant), so a
// mailbox outside the scope is refused by Exchange as in a tenant that limits the app.
const IN_SCOPE = [
  'app-first',
  'app-cut',
  'app-reset',
  'app-storm',
  'app-squall',
  'app-seen',
  'app-delete',
  'app-large',
  'app-folders',
  'app-nested',
].map((name) => `${name}@contoso.test`);
const OUT_OF_SCOPE = 'app-outside@contoso.test';

let f: ChannelFixture;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;
let productSyncDeps: typeof import('@/lib/channels/microsoft365/sync-deps').productSyncDeps;

beforeAll(async () => {
  f = await startChannelFixture({
    users: [...IN_SCOPE, OUT_OF_SCOPE].map((address) => ({ address })),
    app: { rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: IN_SCOPE }] },
  });
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
  ({ productSyncDeps } = await import('@/lib/channels/microsoft365/sync-deps'));
});
afterAll(async () => f?.stop());
afterEach(() => {
  f.harness.graph.throttle.off();
  vi.restoreAllMocks();
});

type Deps = Parameters<typeof productSyncDeps>[1];
const sync = (accountId: string, options: Deps = {}) =>
  runSync(productSyncDeps(f.db, options), { trigger: 'manual', accountIds: [accountId] });

const addAppAccount = (address: string, values?: Parameters<typeof addApplicationMailbox>[2]) =>
  addApplicationMailbox(f, address, values);

async function accountIdOf(address: string): Promise<string> {
  const [row] = await f.db
    .select({ id: schema.mailAccounts.id })
    .from(schema.mailAccounts)
    .where(eq(schema.mailAccounts.emailAddress, address));
  if (!row) throw new Error(`no account for ${address}`);
  return row.id;
}

async function stored(accountId: string) {
  const { messages } = schema;
  return f.db
    .select({ id: messages.id, graphId: messages.graphId, messageId: messages.messageId, uid: messages.uid })
    .from(messages)
    .where(eq(messages.accountId, accountId));
}

async function folderState(accountId: string, folder = 'INBOX') {
  const [row] = await f.db
    .select()
    .from(schema.mailFolderState)
    .where(and(eq(schema.mailFolderState.accountId, accountId), eq(schema.mailFolderState.folder, folder)));
  return row;
}

function expectEachOnce(rows: { graphId: string | null; messageId: string | null }[], count: number) {
  expect(rows).toHaveLength(count);
  expect(new Set(rows.map((r) => r.graphId)).size).toBe(count);
  expect(new Set(rows.map((r) => r.messageId)).size).toBe(count);
  expect(rows.every((r) => r.graphId !== null)).toBe(true);
}

const folderCounts = z.object({
  value: z.array(z.object({ displayName: z.string(), totalItemCount: z.number(), unreadItemCount: z.number() })),
});

/** The mailbox's folders as Graph counts them, read with a token of the app (as an admin's script would). */
async function serverFolders(address: string) {
  const client = await appGraphClient(f);
  const answer = await client.json(`/users/${address}/mailFolders`, folderCounts, { mailbox: address });
  return new Map(answer.value.map((folder) => [folder.displayName, folder]));
}

describe('sync through Microsoft Graph, application access', () => {
  it('stores every message exactly once with the deltaLink, then picks up only new mail', async () => {
    const address = 'app-first@contoso.test';
    const id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 30, seed: 21 });

    const first = await sync(id);
    expect(first.accounts).toMatchObject([{ accountId: id, outcome: 'success', fetched: 30 }]);
    expectEachOnce(await stored(id), 30);
    const state = await folderState(id);
    expect(state).toMatchObject({ uidValidity: 0, graphFolderId: 'inbox' });
    expect(state?.deltaLink).toContain('$deltatoken=');
    const sources = await f.db
      .select({ id: schema.messageSources.messageId })
      .from(schema.messageSources)
      .innerJoin(schema.messages, eq(schema.messages.id, schema.messageSources.messageId))
      .where(eq(schema.messages.accountId, id));
    expect(sources).toHaveLength(30);

    await f.harness.seed.messages(address, { count: 4, seed: 21, offset: 30 });
    const second = await sync(id);
    expect(second.accounts).toMatchObject([{ outcome: 'success', fetched: 4 }]);
    expectEachOnce(await stored(id), 34);
    expect((await folderState(id))?.deltaLink).not.toBe(state?.deltaLink);

    const third = await sync(id);
    expect(third.accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);

    const runs = await f.db.select().from(schema.syncRuns).where(eq(schema.syncRuns.accountId, id));
    expect(runs.map((r) => [r.outcome, r.messages]).sort()).toEqual([
      ['success', 0],
      ['success', 30],
      ['success', 4],
    ]);
    const [account] = await f.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id));
    expect(account).toMatchObject({ lastSyncOutcome: 'success', lastError: null, leaseOwner: null });
  });

  it('resumes a round cut after its first page from the stored nextLink, without duplicates', async () => {
    const address = 'app-cut@contoso.test';
    const id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 25, seed: 22 });
    const stop = new AbortController();
    const cut = await sync(id, {
      batch: { messages: 10, bytes: 12 * 1024 * 1024 },
      signal: stop.signal,
      onProgress: (event) => {
        if (event.type === 'batch-stored') stop.abort();
      },
    });
    expect(cut.accounts).toMatchObject([{ outcome: 'partial', fetched: 10 }]);
    expect((await folderState(id))?.deltaLink).toContain('$skiptoken=');
    expect(await stored(id)).toHaveLength(10);

    const rest = await sync(id, { batch: { messages: 10, bytes: 12 * 1024 * 1024 } });
    expect(rest.accounts).toMatchObject([{ outcome: 'success', fetched: 15 }]);
    expectEachOnce(await stored(id), 25);
    expect((await folderState(id))?.deltaLink).toContain('$deltatoken=');
  });

  it('starts a fresh round when Graph answers 410, storing nothing twice', async () => {
    const address = 'app-reset@contoso.test';
    const id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 12, seed: 23 });
    await sync(id);
    f.harness.graph.delta.expireAll();
    await f.harness.seed.messages(address, { count: 3, seed: 23, offset: 12 });

    const after = await sync(id);
    expect(after.accounts).toMatchObject([{ outcome: 'success', fetched: 3 }]);
    expectEachOnce(await stored(id), 15);
    expect((await folderState(id))?.deltaLink).toContain('$deltatoken=');
  });

  it('waits out a storm of 429s and stores every message exactly once', async () => {
    const address = 'app-storm@contoso.test';
    const id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 8, seed: 24 });
    f.harness.graph.throttle.arm(3, 1);
    const report = await sync(id);
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 8 }]);
    expectEachOnce(await stored(id), 8);
  });

  it('rides out 429s and 503s spread over a whole sync, waiting each Retry-After, and stores each message once', async () => {
    const address = 'app-squall@contoso.test';
    const id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 40, seed: 27 });
    // Every third request refused (delta pages and $value reads alike), 429 and 503 in turn, 16 in all: a storm
    // that lasts the whole round of four delta pages, not a burst at its start.
    f.harness.graph.throttle.storm({ count: 16, every: 3, retryAfterSeconds: 1 });
    const report = await sync(id, { batch: { messages: 10, bytes: 12 * 1024 * 1024 } });
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 40 }]);
    expectEachOnce(await stored(id), 40);
    expect(f.harness.graph.throttle.refused).toBe(16);
    expect(f.harness.graph.throttle.early).toBe(0);
    const runs = await f.db.select().from(schema.syncRuns).where(eq(schema.syncRuns.accountId, id));
    expect(runs.map((r) => [r.outcome, r.messages])).toEqual([['success', 40]]);
    expect((await sync(id)).accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);
  });

  it('ends as throttled, not failed, when Graph asks for a longer pause than a run sits through', async () => {
    const address = 'app-storm@contoso.test';
    const id = await accountIdOf(address);
    await f.harness.seed.messages(address, { count: 2, seed: 24, offset: 8 });
    f.harness.graph.throttle.arm(1, 600);
    const report = await sync(id);
    expect(report.accounts[0]).toMatchObject({ outcome: 'partial', error: { code: 'graph.throttled' } });
    const [account] = await f.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id));
    expect(account).toMatchObject({ status: 'active', consecutiveFailures: 0 });
    expect(account?.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(Date.now() + 590_000);
    f.harness.graph.throttle.off();
    expect((await sync(id)).accounts).toMatchObject([{ outcome: 'success', fetched: 2 }]);
  });

  it('marks messages read only after their rows are committed', async () => {
    const address = 'app-seen@contoso.test';
    const id = await addAppAccount(address, { afterFetch: 'mark_seen' });
    await f.harness.seed.messages(address, { count: 6, seed: 25 });
    const committedAtChange = await watchChanges(id);
    const report = await sync(id);
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 6 }]);
    expect(committedAtChange).toEqual(Array.from({ length: 6 }, () => ['PATCH', true]));
    expect((await serverFolders(address)).get('Inbox')).toMatchObject({ totalItemCount: 6, unreadItemCount: 0 });
  });

  it('deletes messages only after their rows are committed, leaving them in Deleted Items', async () => {
    const address = 'app-delete@contoso.test';
    const id = await addAppAccount(address, { afterFetch: 'delete' });
    await f.harness.seed.messages(address, { count: 5, seed: 26 });
    const committedAtChange = await watchChanges(id);
    const report = await sync(id);
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 5 }]);
    expect(committedAtChange).toEqual(Array.from({ length: 5 }, () => ['DELETE', true]));
    const folders = await serverFolders(address);
    expect(folders.get('Inbox')?.totalItemCount).toBe(0);
    expect(folders.get('Deleted Items')?.totalItemCount).toBe(5);
    expectEachOnce(await stored(id), 5);
  });

  it('finishes on the next run the deletes a stopped run left undone', async () => {
    const address = 'app-delete@contoso.test';
    const id = await accountIdOf(address);
    await f.harness.seed.messages(address, { count: 4, seed: 32, offset: 5 });
    // The first DELETE is refused with a pause longer than a run waits: the run ends after the page's commit.
    const original = globalThis.fetch;
    let armed = false;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      if (init?.method === 'DELETE' && !armed) {
        armed = true;
        f.harness.graph.throttle.arm(1, 600);
      }
      return original(input, init);
    });
    const stopped = await sync(id);
    expect(stopped.accounts[0]).toMatchObject({ outcome: 'partial', fetched: 4, error: { code: 'graph.throttled' } });
    expect((await serverFolders(address)).get('Inbox')?.totalItemCount).toBeGreaterThan(0);
    vi.restoreAllMocks();
    f.harness.graph.throttle.off();

    const next = await sync(id);
    expect(next.accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);
    expect((await serverFolders(address)).get('Inbox')?.totalItemCount).toBe(0);
    expectEachOnce(await stored(id), 9);
  });

  it('stores a message over the size limit with its headers only and leaves it on the server', async () => {
    const address = 'app-large@contoso.test';
    const id = await addAppAccount(address, { afterFetch: 'delete' });
    await f.harness.seed.messages(address, { count: 12, seed: 33 });
    const limit = 3_000;
    const first = await sync(id, { maxMessageBytes: limit });
    expect(first.accounts).toMatchObject([{ outcome: 'success', fetched: 12 }]);
    const rows = await f.db
      .select({
        size: schema.messages.size,
        skipped: schema.messages.skippedReason,
        subject: schema.messages.subject,
        source: schema.messageSources.messageId,
      })
      .from(schema.messages)
      .leftJoin(schema.messageSources, eq(schema.messageSources.messageId, schema.messages.id))
      .where(eq(schema.messages.accountId, id));
    const large = rows.filter((row) => row.size > limit);
    expect(large.length).toBeGreaterThan(0);
    expect(large.length).toBeLessThan(12);
    for (const row of large) {
      expect(row.skipped).toMatch(/^too_large: \d+ bytes, over the 3 KB limit; only the headers were stored$/);
      expect(row.source).toBeNull();
      expect(row.subject).toBeTruthy();
    }
    for (const row of rows.filter((r) => r.size <= limit)) expect(row.source).not.toBeNull();
    // Deleted are only the messages whose mail is stored; the next run's sweep leaves the large ones too.
    expect((await serverFolders(address)).get('Inbox')?.totalItemCount).toBe(large.length);
    await sync(id, { maxMessageBytes: limit });
    expect((await serverFolders(address)).get('Inbox')?.totalItemCount).toBe(large.length);
  });

  it('syncs other folders by their Graph id and names a missing one', async () => {
    const address = 'app-folders@contoso.test';
    const id = await addAppAccount(address, { folders: ['INBOX', 'Archive', 'Gone'] });
    await f.harness.seed.messages(address, { count: 2, seed: 27 });
    await f.harness.seed.messages(address, { count: 3, seed: 28, folder: 'Archive' });
    const report = await sync(id);
    expect(report.accounts[0]).toMatchObject({
      outcome: 'success',
      fetched: 5,
      error: { code: 'imap.folder_missing' },
    });
    expect(report.accounts[0]?.error?.message).toContain('Gone');
    const archive = await folderState(id, 'Archive');
    expect(archive?.graphFolderId).toBeTruthy();
    expect(archive?.graphFolderId).not.toBe('inbox');
    expect(archive?.deltaLink).toContain('$deltatoken=');
  });

  it('tells an admin in plain words how to let the app into a mailbox outside its RBAC scope', async () => {
    const id = await addAppAccount(OUT_OF_SCOPE);
    const report = await sync(id);
    expect(report.accounts[0]).toMatchObject({ outcome: 'failed', error: { code: 'graph.access_denied' } });
    const error = report.accounts[0]?.error;
    expect(error?.message).toContain(OUT_OF_SCOPE);
    expect(error?.hint).toContain('management scope');
    expect(error?.hint).toContain('Test-ServicePrincipalAuthorization');
    expect(JSON.stringify(error)).not.toMatch(/Bearer|access_token/i);
    const [account] = await f.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id));
    expect(account?.lastError).toMatchObject({ code: 'graph.access_denied' });
    // No sign-in to renew: retried with backoff until an admin widens the scope, not left waiting for re-auth.
    expect(account).toMatchObject({ status: 'active', consecutiveFailures: 1 });
    expect(account?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
  });
});

describe('the folders of a Graph mailbox, application access', () => {
  const address = 'app-nested@contoso.test';
  let id: string;
  const listFolders = async (accountId: string) =>
    (await import('@/lib/channels/microsoft365/mailbox-folders')).listMailboxFolders(f.db, accountId);

  it('lists nested folders through Graph as paths, the Inbox first and the well-known ones marked', async () => {
    id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 1, seed: 40 });
    // Seeded under Dovecot's names (its separator is `.`); Graph shows the hierarchy as Exchange does, with `/`.
    await f.harness.seed.messages(address, { count: 2, seed: 41, folder: 'INBOX.Sub' });
    await f.harness.seed.messages(address, { count: 3, seed: 42, folder: 'Parent.Child' });
    await f.harness.seed.messages(address, { count: 1, seed: 43, folder: 'Junk Email' });
    const listing = await listFolders(id);
    if (!listing.ok) throw new Error(listing.error.title);
    const paths = listing.folders.map((folder) => folder.path);
    expect(paths.slice(0, 2)).toEqual(['INBOX', 'INBOX/Sub']);
    expect(paths).toEqual(expect.arrayContaining(['Parent', 'Parent/Child', 'Junk Email']));
    expect(listing.folders.find((folder) => folder.path === 'Parent/Child')?.name).toBe('Parent / Child');
    expect(listing.folders.find((folder) => folder.path === 'Junk Email')?.specialUse).toBe('\\Junk');
  });

  it('saves nested folders as the choice, and syncs each of their messages exactly once', async () => {
    const { changeAccountSettings } = await import('@/lib/channels/microsoft365/accounts');
    const folders = ['INBOX', 'INBOX/Sub', 'Parent/Child'];
    const saved = await changeAccountSettings(f.db, f.admin, id, { folders, afterFetch: 'keep' });
    expect(saved.ok).toBe(true);
    const [account] = await f.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id));
    expect(account?.folders).toEqual(folders);
    expect((await sync(id)).accounts[0]).toMatchObject({ outcome: 'success', fetched: 6 });
    await f.harness.seed.messages(address, { count: 1, seed: 42, offset: 3, folder: 'Parent.Child' });
    expect((await sync(id)).accounts[0]).toMatchObject({ outcome: 'success', fetched: 1 });
    expectEachOnce(await stored(id), 7);
    const child = await folderState(id, 'Parent/Child');
    expect(child?.graphFolderId).not.toBe('inbox');
    expect(child?.deltaLink).toContain('$deltatoken=');
    expect((await folderState(id, 'INBOX'))?.graphFolderId).toBe('inbox');
  });

  it('pages childFolders with $top and @odata.nextLink, counting each folder’s children (the stand-in)', async () => {
    for (const name of ['A', 'B', 'C'])
      await f.harness.seed.messages(address, { count: 1, seed: 45, folder: `Projects.${name}` });
    const client = await appGraphClient(f);
    const page = z.object({
      value: z.array(z.object({ id: z.string(), displayName: z.string(), childFolderCount: z.number() })),
      '@odata.nextLink': z.string().optional(),
    });
    const top = await client.json(`/users/${address}/mailFolders?$top=50`, page, { mailbox: address });
    const projects = top.value.find((folder) => folder.displayName === 'Projects');
    expect(projects?.childFolderCount).toBe(3);
    const first = await client.json(`/users/${address}/mailFolders/${projects?.id}/childFolders?$top=2`, page, {
      mailbox: address,
    });
    expect(first.value.map((folder) => folder.displayName)).toEqual(['A', 'B']);
    const rest = await client.json(first['@odata.nextLink'] ?? '', page, { mailbox: address });
    expect(rest.value.map((folder) => folder.displayName)).toEqual(['C']);
    expect(rest['@odata.nextLink']).toBeUndefined();
  });

  it('explains a mailbox outside the app’s RBAC scope in plain sentences instead of a folder list', async () => {
    const outside = await accountIdOf(OUT_OF_SCOPE).catch(() => addAppAccount(OUT_OF_SCOPE));
    const listing = await listFolders(outside);
    expect(listing.ok).toBe(false);
    if (listing.ok) return;
    expect(listing.error.code).toBe('graph.access_denied');
    expect(listing.error.title).toBe(`The app may not open ${OUT_OF_SCOPE} through Microsoft Graph.`);
    expect(listing.error.action).toContain('management scope');
    expect(JSON.stringify(listing.error)).not.toMatch(/Bearer|access_token/i);
  });
});

describe('sync through Microsoft Graph, delegated access', () => {
  let id: string;

  it('syncs with a Graph token from the mailbox’s sealed sign-in', async () => {
    const result = await f.complete(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
    if (!result.ok || !result.outcome.ok) throw new Error('connect failed');
    id = result.outcome.accountId;
    await f.db
      .update(schema.mailAccounts)
      .set({ transport: 'graph', access: 'delegated' })
      .where(eq(schema.mailAccounts.id, id));
    await f.harness.seed.messages('alice@contoso.test', { count: 7, seed: 29 });
    const report = await sync(id);
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 7 }]);
    expectEachOnce(await stored(id), 7);
  });

  it('recovers when Graph refuses the cached token once: a fresh one, and the sync goes on', async () => {
    await f.harness.control.expireAccessTokens('alice@contoso.test');
    await f.harness.seed.messages('alice@contoso.test', { count: 2, seed: 29, offset: 7 });
    const report = await sync(id);
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 2 }]);
    expectEachOnce(await stored(id), 9);
  });

  it('lists the nested folders of a delegated Graph mailbox through Graph with its own sign-in', async () => {
    await f.harness.seed.messages('alice@contoso.test', { count: 1, seed: 44, folder: 'Team.Reports' });
    const { listMailboxFolders } = await import('@/lib/channels/microsoft365/mailbox-folders');
    const listing = await listMailboxFolders(f.db, id);
    if (!listing.ok) throw new Error(listing.error.title);
    expect(listing.folders.map((folder) => folder.path)).toEqual(expect.arrayContaining(['INBOX', 'Team/Reports']));
  });

  it('never opens an IDLE watch on a Graph mailbox', async () => {
    const { claimWatches } = await import('@/lib/db/queries/mailbox-watches');
    const claimed = await claimWatches(f.db, { owner: 'test-watch', leaseMs: 10_000, limit: 100 });
    const graphIds = await f.db
      .select({ id: schema.mailAccounts.id })
      .from(schema.mailAccounts)
      .where(eq(schema.mailAccounts.transport, 'graph'));
    expect(graphIds.length).toBeGreaterThan(0);
    expect(claimed.filter((account) => graphIds.some((g) => g.id === account.id))).toEqual([]);
  });
});

/**
 * Records, for each PATCH or DELETE the sync sends to Graph, whether the message's row was already committed (read
 * on another connection at that moment).
 */
async function watchChanges(accountId: string): Promise<[string, boolean][]> {
  const seen: [string, boolean][] = [];
  const original = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const method = init?.method ?? 'GET';
    if (method === 'PATCH' || method === 'DELETE') {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const graphId = decodeURIComponent(url.pathname.split('/').pop() ?? '');
      const rows = await f.db
        .select({ id: schema.messages.id })
        .from(schema.messages)
        .where(and(eq(schema.messages.accountId, accountId), eq(schema.messages.graphId, graphId)));
      seen.push([method, rows.length === 1]);
    }
    return original(input, init);
  });
  return seen;
}

describe('acquireAccountAccess', () => {
  it('gives an IMAP account its mail token, and Graph accounts a Graph token by their access', async () => {
    const { acquireAccountAccess } = await import('@/lib/channels/microsoft365/tokens');
    const result = await f.complete(await f.signIn({ kind: 'connect' }, 'bob@contoso.test'));
    if (!result.ok || !result.outcome.ok) throw new Error('connect failed');
    const imap = await acquireAccountAccess(f.db, result.outcome.accountId);
    expect(imap).toMatchObject({ transport: 'imap', mail: { imapUser: 'bob@contoso.test' } });

    const delegated = await acquireAccountAccess(f.db, await accountIdOf('alice@contoso.test'));
    if (delegated.transport !== 'graph') throw new Error('expected Graph access');
    expect(delegated.graph).toMatchObject({ mailbox: 'alice@contoso.test', access: 'delegated', personal: false });
    expect(delegated.graph.endpoints.graphBaseUrl).toBe(f.harness.graph.url);
    const cached = await delegated.graph.token({ forceRefresh: false });
    const fresh = await delegated.graph.token({ forceRefresh: true });
    expect(fresh).not.toBe(cached);

    const app = await acquireAccountAccess(f.db, await addAppAccount('app-token@contoso.test'));
    if (app.transport !== 'graph') throw new Error('expected Graph access');
    expect(app.graph).toMatchObject({ mailbox: 'app-token@contoso.test', access: 'application' });
    // One client-credentials token per app and secret in this process, reused across mailboxes.
    const second = await acquireAccountAccess(f.db, await accountIdOf('app-first@contoso.test'));
    if (second.transport !== 'graph') throw new Error('expected Graph access');
    expect(await second.graph.token({ forceRefresh: false })).toBe(await app.graph.token({ forceRefresh: false }));
  });
});
