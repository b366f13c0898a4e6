/**
 * The idle check (lib/sync/idle-check.ts, lib/mail/status-probe.ts) against Dovecot behind the Exchange
 * personality: an incremental run that finds nothing new costs one connection of AUTHENTICATE, STATUS and LOGOUT;
 * anything else falls back to the full session and syncs exactly as before.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeMailboxName, encodeMailboxName, quoteMailboxName } from '@/lib/mail/mailbox-name';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import { imapUid } from '@/test/support/stored-uids';

let bed: SyncTestbed;
let runSync: typeof import('@/lib/sync/run').runSync;
let probe: typeof import('@/lib/mail/status-probe');
let schema: typeof import('@/lib/db/schema');

beforeAll(async () => {
  bed = await startSyncTestbed();
  ({ runSync } = await import('@/lib/sync/run'));
  probe = await import('@/lib/mail/status-probe');
  schema = await import('@/lib/db/schema');
});
afterAll(() => bed?.stop());
afterEach(() => {
  personality().settings.withoutCapabilities = [];
});

function personality() {
  if (!bed.harness.exchange) throw new Error('The Exchange personality is off');
  return bed.harness.exchange;
}

/** Connections and tagged commands the stand-in saw during `run`. */
async function counted<T>(run: () => Promise<T>): Promise<{ result: T; connections: number; commands: number }> {
  const before = { ...personality().stats };
  const result = await run();
  const after = personality().stats;
  return { result, connections: after.connections - before.connections, commands: after.commands - before.commands };
}

function sync(id: string, deps = bed.deps()) {
  return runSync(deps, { trigger: 'manual', accountIds: [id] });
}

async function caughtUpAccount(address: string, seed: number): Promise<string> {
  const id = await bed.addAccount(address);
  await bed.harness.seed.messages(address, { count: 5, seed });
  const first = await sync(id);
  expect(first.accounts).toMatchObject([{ outcome: 'success', fetched: 5 }]);
  return id;
}

async function storedUids(id: string): Promise<number[]> {
  const rows = await bed.db.select({ uid: imapUid }).from(schema.messages).where(eq(schema.messages.accountId, id));
  return rows.map((r) => r.uid).sort((a, b) => a - b);
}

describe('the idle check', () => {
  it('answers a run with nothing new from one connection: AUTHENTICATE, STATUS, LOGOUT', async () => {
    const id = await caughtUpAccount('probe-idle@contoso.test', 901);
    const { result, connections, commands } = await counted(() => sync(id));
    expect(result.accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);
    expect(result.accounts[0]?.nextAttemptAt).not.toBeNull();
    expect(connections).toBe(1);
    // imapflow's session would have sent CAPABILITY, ID, NAMESPACE and more besides.
    expect(commands).toBe(3);
    const runs = await bed.db.select().from(schema.syncRuns).where(eq(schema.syncRuns.accountId, id));
    expect(runs.map((r) => [r.outcome, r.messages])).toEqual([
      ['success', 5],
      ['success', 0],
    ]);
  });

  it('falls back to the full session when something arrived, and stores it exactly once', async () => {
    const address = 'probe-new@contoso.test';
    const id = await caughtUpAccount(address, 902);
    await bed.harness.seed.messages(address, { count: 3, seed: 902, offset: 5 });
    const { result, connections } = await counted(() => sync(id));
    expect(result.accounts).toMatchObject([{ outcome: 'success', fetched: 3 }]);
    // The probe's short connection, then the session that fetches.
    expect(connections).toBe(2);
    expect(await storedUids(id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // And nothing new again: back to the one connection.
    expect((await counted(() => sync(id))).connections).toBe(1);
  });

  it('goes straight to the session while a message waits to be retried, and the retry runs', async () => {
    const id = await caughtUpAccount('probe-retry@contoso.test', 907);
    const [state] = await bed.db.select().from(schema.mailFolderState).where(eq(schema.mailFolderState.accountId, id));
    // A message the server listed but did not serve, recorded for this generation of INBOX (since deleted).
    await bed.db
      .insert(schema.unretrievableMessages)
      .values({ accountId: id, folder: 'INBOX', uidValidity: state?.uidValidity ?? 0, uid: 999, reason: 'no_data' });
    const { result, connections, commands } = await counted(() => sync(id));
    expect(result.accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);
    // The counters on the server are the recorded ones, but the record says the folder is not done: no probe, the
    // session alone, which tries the message again.
    expect(connections).toBe(1);
    expect(commands).toBeGreaterThan(3);
    const records = await bed.db
      .select()
      .from(schema.unretrievableMessages)
      .where(eq(schema.unretrievableMessages.accountId, id));
    expect(records).toEqual([]);
    // Nothing owed any more: the one probe connection again.
    expect((await counted(() => sync(id))).commands).toBe(3);
  });

  it('leaves a refused token to the session, which fails the way it does without the probe', async () => {
    const caughtUp = await caughtUpAccount('probe-badtoken@contoso.test', 903);
    const fresh = await bed.addAccount('probe-badtoken-fresh@contoso.test');
    const deps = bed.deps({ getAccessToken: async () => 'not-a-live-token' });
    const { result, connections } = await counted(() => sync(caughtUp, deps));
    const without = await sync(fresh, deps);
    expect(result.accounts[0]?.outcome).toBe('failed');
    expect(result.accounts[0]?.error?.code).toBe(without.accounts[0]?.error?.code);
    expect(result.accounts[0]?.error?.code).toBeDefined();
    // The probe's refused connection comes before the session's attempts.
    expect(connections).toBeGreaterThan(1);
  });

  it('falls back when the server does not take an initial response (no SASL-IR)', async () => {
    const id = await caughtUpAccount('probe-nosaslir@contoso.test', 904);
    personality().settings.withoutCapabilities = ['SASL-IR'];
    const { result, connections, commands } = await counted(() => sync(id));
    expect(result.accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);
    expect(connections).toBe(2);
    expect(commands).toBeGreaterThan(3);
  });

  it('reads the counters Dovecot has, and says "unknown" for a folder that does not exist', async () => {
    const address = 'probe-direct@contoso.test';
    await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 4, seed: 905 });
    const login = {
      host: '127.0.0.1',
      port: bed.harness.imapPort,
      tls: false,
      user: address,
      accessToken: await bed.tokenFor(address),
    };
    const found = await probe.probeFolderStatus(login, ['INBOX']);
    expect(found.kind).toBe('status');
    if (found.kind === 'status') expect(found.folders.get('INBOX')).toMatchObject({ messages: 4, uidNext: 5 });
    expect(await probe.probeFolderStatus(login, ['INBOX', 'No Such Folder'])).toMatchObject({ kind: 'unknown' });
    // Dovecot lists its capabilities (SASL-IR, AUTH=XOAUTH2) in the greeting; the probe reads them there.
    const direct = await probe.probeFolderStatus({ ...login, port: bed.harness.dovecot.port }, ['INBOX']);
    expect(direct).toMatchObject({ kind: 'status' });
    expect(await probe.probeFolderStatus({ ...login, accessToken: 'dead' }, ['INBOX'])).toMatchObject({
      kind: 'unknown',
      authRejected: true,
    });
  });
});

describe('STATUS parsing and mailbox names', () => {
  it('encodes and decodes modified UTF-7 (RFC 3501 §5.1.3)', () => {
    expect(encodeMailboxName('Entwürfe')).toBe('Entw&APw-rfe');
    expect(encodeMailboxName('A&B')).toBe('A&-B');
    expect(encodeMailboxName('日本語')).toBe('&ZeVnLIqe-');
    expect(decodeMailboxName('&ZeVnLIqe-')).toBe('日本語');
    expect(decodeMailboxName('Entw&APw-rfe')).toBe('Entwürfe');
    expect(decodeMailboxName('Entwürfe')).toBeUndefined();
    expect(quoteMailboxName('Say "hi"\\')).toBe('"Say \\"hi\\"\\\\"');
  });

  it('takes an atom, a quoted string or a literal, and refuses what is incomplete', () => {
    const counters = { uidValidity: 7, uidNext: 12, messages: 11 };
    expect(probe.parseStatus('INBOX (MESSAGES 11 UIDNEXT 12 UIDVALIDITY 7)')).toEqual({ name: 'INBOX', counters });
    expect(probe.parseStatus('"Entw&APw-rfe" (UIDNEXT 12 UIDVALIDITY 7 MESSAGES 11)').name).toBe('Entwürfe');
    expect(probe.parseStatus('{8}\r\nSay "hi" (UIDNEXT 12 UIDVALIDITY 7 MESSAGES 11)').name).toBe('Say "hi"');
    expect(() => probe.parseStatus('INBOX (MESSAGES 11 UIDNEXT 12)')).toThrow();
    expect(() => probe.parseStatus('INBOX (MESSAGES 11 MESSAGES 11 UIDNEXT 12 UIDVALIDITY 7)')).toThrow();
    expect(() => probe.parseStatus('INBOX MESSAGES 11')).toThrow();
  });
});
