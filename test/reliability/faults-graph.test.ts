/**
 * The fault suites of the IMAP transport (faults-imap, faults-sync-kill, tokens-*, hostile-mime) on the Graph
 * transport: the Graph stand-in's connection cut while $value reads are in flight, the compiled sync CLI SIGKILLed
 * mid-round, the access token expired and the app's mailbox permission removed between delta pages, and hostile
 * MIME synced through Graph. The 429 storm, a single 401, a 410 restart and an aborted round are in
 * test/sync-graph.test.ts.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isAlive, signalTree } from '@/test/harness/process-tree';
import { startTcpProxy, type TcpProxy } from '@/test/harness/tcp-proxy';
import { hostileCorpus } from '@/test/reliability/support/hostile-corpus';
import {
  CALLBACK,
  CLIENT_ID,
  CLIENT_SECRET,
  TENANT,
  addApplicationMailbox,
  startChannelFixture,
  type ChannelFixture,
} from '@/test/support/channel';
import { startSyncCli } from '@/test/support/sync-cli';
import { serverSources } from '@/test/support/sync-harness';

const APP_MAILBOXES = ['graph-cut', 'graph-revoked', 'graph-hostile'].map((name) => `${name}@contoso.test`);
const DELEGATED = { kill: 'alice@contoso.test', expiry: 'bob@contoso.test' };
const APP = {
  clientId: CLIENT_ID,
  clientSecret: CLIENT_SECRET,
  redirectUris: [CALLBACK],
  audience: 'single' as const,
  tenant: TENANT,
};

let f: ChannelFixture;
let proxy: TcpProxy;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;
let productSyncDeps: typeof import('@/lib/channels/microsoft365/sync-deps').productSyncDeps;
let cliDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  const built = mkdtemp(path.join(tmpdir(), 'graph-kill-cli-')).then(async (dir) => {
    await promisify(execFile)(process.execPath, ['scripts/build-cli.mjs', dir]);
    return dir;
  });
  f = await startChannelFixture({
    users: APP_MAILBOXES.map((address) => ({ address })),
    apps: [{ ...APP, rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: APP_MAILBOXES }] }],
  });
  // The product reaches Graph through the proxy (the deployment's Graph URL override), so a test can cut it.
  proxy = await startTcpProxy({ targetPort: Number(new URL(f.harness.graph.url).port) });
  process.env.MICROSOFT_GRAPH_URL = `http://127.0.0.1:${proxy.port}`;
  delete (globalThis as { __mailgateEnv?: unknown }).__mailgateEnv;
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
  ({ productSyncDeps } = await import('@/lib/channels/microsoft365/sync-deps'));
  cliDir = await built;
}, 60_000);
afterAll(async () => {
  for (const child of children) if (child.pid) signalTree(child.pid, 'SIGKILL');
  await proxy?.close();
  await f?.stop();
  if (cliDir) await rm(cliDir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

type Deps = Parameters<typeof productSyncDeps>[1];
const sync = (accountId: string, options: Deps = {}) =>
  runSync(productSyncDeps(f.db, options), { trigger: 'manual', accountIds: [accountId] });
const SMALL_PAGES: Deps = { batch: { messages: 10, bytes: 12 * 1024 * 1024 } };

const addAppAccount = (address: string) => addApplicationMailbox(f, address);

async function addDelegatedAccount(address: string): Promise<string> {
  const result = await f.complete(await f.signIn({ kind: 'connect' }, address));
  if (!result.ok || !result.outcome.ok) throw new Error(`connect failed for ${address}`);
  const id = result.outcome.accountId;
  await f.db
    .update(schema.mailAccounts)
    .set({ transport: 'graph', access: 'delegated' })
    .where(eq(schema.mailAccounts.id, id));
  return id;
}

/**
 * The mailbox as Dovecot serves it (sha256 of each message, unless given) against the account's stored sources: lost, duplicated
 * (two rows of one message) and stored counts, and whether the folder's delta link is a finished round's.
 */
async function exactlyOnce(accountId: string, address: string, shas?: string[]) {
  const { access_token } = await f.harness.control.issueTokens({ address });
  const server = new Set(shas ?? (await serverSources(f.harness, address, access_token)).values());
  const rows = (await f.db.execute(sql`
    select m.graph_id as "graphId", s.sha256
    from messages m left join message_sources s on s.message_id = m.id
    where m.account_id = ${accountId}
  `)) as unknown as Array<{ graphId: string | null; sha256: string | null }>;
  const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: typeof rows }).rows;
  const storedShas = list.map((row) => row.sha256);
  const [state] = await f.db
    .select({ deltaLink: schema.mailFolderState.deltaLink })
    .from(schema.mailFolderState)
    .where(and(eq(schema.mailFolderState.accountId, accountId), eq(schema.mailFolderState.folder, 'INBOX')));
  return {
    expected: server.size,
    stored: list.length,
    lost: [...server].filter((sha) => !storedShas.includes(sha)).length,
    duplicated: list.length - new Set(list.map((row) => row.graphId)).size,
    roundFinished: state?.deltaLink?.includes('$deltatoken=') ?? false,
  };
}

const exact = (count: number) => ({ expected: count, stored: count, lost: 0, duplicated: 0, roundFinished: true });

const urlOf = (input: Parameters<typeof fetch>[0]) =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

/** Runs `before` (awaited) ahead of the `nth` Graph request whose URL matches, then lets the request go. */
function beforeRequest(match: RegExp, nth: number, before: () => Promise<void> | void) {
  const original = globalThis.fetch;
  const statuses: number[] = [];
  let seen = 0;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = urlOf(input);
    if (match.test(url) && ++seen === nth) await before();
    const response = await original(input, init);
    if (url.startsWith(process.env.MICROSOFT_GRAPH_URL ?? '-')) statuses.push(response.status);
    return response;
  });
  return statuses;
}

describe('Graph connection cut mid-round', () => {
  it('stores every message exactly once after the connection drops during $value reads', async () => {
    const address = 'graph-cut@contoso.test';
    const id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 40, seed: 7101, profile: 'realistic' });
    const cutsBefore = proxy.dropped;
    // On the 12th $value read, every connection to Graph is cut 2 KB into what comes back: the reads in flight
    // die mid-body. Connections opened afterwards pass again.
    beforeRequest(/\/\$value$/, 12, () => {
      proxy.dropAfterBytes = 2_048;
    });
    const cut = await sync(id, SMALL_PAGES);
    proxy.dropAfterBytes = undefined;
    vi.restoreAllMocks();
    expect(proxy.dropped).toBeGreaterThan(cutsBefore);
    expect(['partial', 'failed', 'success']).toContain(cut.accounts[0]?.outcome);

    const next = await sync(id, SMALL_PAGES);
    expect(next.accounts[0]?.outcome).toBe('success');
    expect(await exactlyOnce(id, address)).toEqual(exact(40));
    const again = await sync(id, SMALL_PAGES);
    expect(again.accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);
  });
});

describe('Graph token expiry and revocation mid-round', () => {
  it('refreshes once when the access token expires between delta pages and finishes the round', async () => {
    const address = DELEGATED.expiry;
    const id = await addDelegatedAccount(address);
    await f.harness.seed.messages(address, { count: 25, seed: 7102 });
    const statuses = beforeRequest(/\/delta|skiptoken/, 2, () => f.harness.control.expireAccessTokens(address));
    const report = await sync(id, SMALL_PAGES);
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 25 }]);
    expect(statuses.filter((status) => status === 401)).toHaveLength(1);
    expect(await exactlyOnce(id, address)).toEqual(exact(25));
  });

  it('names the fix in plain words when the app loses its mailbox permission mid-round, duplicating nothing', async () => {
    const address = 'graph-revoked@contoso.test';
    const id = await addAppAccount(address);
    await f.harness.seed.messages(address, { count: 25, seed: 7103 });
    // An admin removes the app's RBAC assignment for the mailbox while the round is between pages.
    const others = APP_MAILBOXES.filter((mailbox) => mailbox !== address);
    beforeRequest(/\/delta|skiptoken/, 2, async () => {
      await f.harness.control.registerApp({
        ...APP,
        rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: others }],
      });
    });
    const report = await sync(id, SMALL_PAGES);
    const result = report.accounts[0];
    expect(result?.outcome).not.toBe('success');
    expect(result?.error?.code).toBe('graph.access_denied');
    expect(result?.error?.message).toContain(address);
    expect(result?.error?.hint).toMatch(/management scope|permission/i);
    expect(JSON.stringify(result?.error)).not.toMatch(/Bearer|access_token|eyJ/);
    const partial = await exactlyOnce(id, address);
    expect(partial).toMatchObject({ duplicated: 0, roundFinished: false });
    expect(partial.stored).toBeLessThan(25);

    await f.harness.control.registerApp({
      ...APP,
      rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: APP_MAILBOXES }],
    });
    expect((await sync(id, SMALL_PAGES)).accounts[0]?.outcome).toBe('success');
    expect(await exactlyOnce(id, address)).toEqual(exact(25));
  });
});

describe('the sync CLI killed mid-round on Graph', () => {
  /** The compiled sync CLI, pointed at the stand-in's Graph URL as this file's product is (through the proxy). */
  const startCli = (accountId: string) =>
    startSyncCli({
      cliDir,
      accountId,
      env: { ...f.harness.env, MICROSOFT_GRAPH_URL: process.env.MICROSOFT_GRAPH_URL ?? '' },
      children,
    });

  const storedCount = async (accountId: string) => {
    const [row] = await f.db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.messages)
      .where(eq(schema.messages.accountId, accountId));
    return row?.n ?? 0;
  };

  it('loses and duplicates nothing across 2 SIGKILLed runs, then one run finishes exactly', async () => {
    const address = DELEGATED.kill;
    const id = await addDelegatedAccount(address);
    await f.harness.seed.messages(address, { count: 120, seed: 7104, profile: 'light' });
    const storedAtKill: number[] = [];
    for (let run = 0; run < 2; run += 1) {
      const before = await storedCount(id);
      const { child, exited } = startCli(id);
      let finished = false;
      void exited.then(() => (finished = true));
      // Killed right after a batch of this run committed: the next batch's reads are in flight.
      while (!finished && (await storedCount(id)) === before) await sleep(10);
      if (child.pid && isAlive(child.pid)) signalTree(child.pid, 'SIGKILL');
      expect(finished, 'the CLI finished before it was killed').toBe(false);
      await exited;
      storedAtKill.push(await storedCount(id));
      // The dead process's lease lasts 2 minutes: its expiry is moved into the past instead of waited for.
      await f.db
        .update(schema.mailAccounts)
        .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
        .where(eq(schema.mailAccounts.id, id));
    }
    expect(storedAtKill.at(-1)).toBeLessThan(120);
    expect(new Set(storedAtKill).size).toBe(2);

    const last = startCli(id);
    expect(await last.exited).toBe(0);
    expect(await exactlyOnce(id, address)).toEqual(exact(120));
    const [account] = await f.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id));
    expect(account).toMatchObject({ leaseOwner: null, lastSyncOutcome: 'success', lastError: null });
  }, 30_000);
});

describe('hostile MIME through Graph', () => {
  const PICKED = [
    'charsets/undeclared-windows-1252',
    'charsets/invalid-utf8',
    'multipart/unterminated',
    'multipart/boundary-never-appears',
    'huge headers/1-mb-folded-subject',
    'nul bytes/in-body',
    'nul bytes/in-headers',
  ];

  it('stores each byte for byte and parses it as the IMAP path does', async () => {
    const address = 'graph-hostile@contoso.test';
    const id = await addAppAccount(address);
    const picked = hostileCorpus({ to: address }).filter((message) => PICKED.includes(message.name));
    expect(picked.map((message) => message.name).sort()).toEqual([...PICKED].sort());
    const corpus = [...picked, eightBitHeaders(address)];
    for (const message of corpus) await f.harness.maildirs.deliver(address, message.raw);

    const report = await sync(id);
    expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: corpus.length }]);
    // Against the delivered bytes: Dovecot's IMAP rewrites some of them (NULs), which the stand-in's $value,
    // reading the maildir file, does not.
    const delivered = corpus.map((message) => createHash('sha256').update(message.raw).digest('hex'));
    expect(await exactlyOnce(id, address, delivered)).toEqual(exact(corpus.length));

    const { parseMessage } = await import('@/lib/mail/parse');
    const rows = await f.db
      .select({
        subject: schema.messages.subject,
        parseError: schema.messages.parseError,
        sha256: schema.messageSources.sha256,
      })
      .from(schema.messages)
      .innerJoin(schema.messageSources, eq(schema.messageSources.messageId, schema.messages.id))
      .where(eq(schema.messages.accountId, id));
    for (const message of corpus) {
      const sha = createHash('sha256').update(message.raw).digest('hex');
      const row = rows.find((r) => r.sha256 === sha);
      expect(row, message.name).toBeDefined();
      // The IMAP path stores what lib/mail/parse makes of the same bytes; Graph must not read them differently.
      const parsed = await parseMessage(message.raw);
      expect(row?.subject ?? null, message.name).toBe(parsed.subject ?? null);
      if (message.parseFails) expect(row?.parseError, message.name).not.toBeNull();
      else expect(row?.parseError, message.name).toBeNull();
    }
  });
});

/** Raw latin-1 bytes in Subject and From, no RFC 2047 encoding: what old mailers still send. */
function eightBitHeaders(to: string) {
  const raw = Buffer.from(
    [
      'From: Ren\xe9 M\xfcller <rene@sender.test>',
      `To: ${to}`,
      'Subject: Caf\xe9 \xa3 5 \xe0 la carte',
      'Date: Sun, 06 Dec 2026 10:00:00 +0000',
      'Message-ID: <eight-bit-headers@sender.test>',
      'Content-Type: text/plain; charset=iso-8859-1',
      '',
      'Caf\xe9.',
      '',
    ].join('\r\n'),
    'latin1',
  );
  return { name: 'eight-bit headers', raw, parseFails: false };
}
