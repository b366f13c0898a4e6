import { and, asc, count, eq, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages } from '@/test/harness/messages';
import { serverSources, serverUids, startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import { imapUid } from '@/test/support/stored-uids';

let bed: SyncTestbed;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed();
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());

async function rows(accountId: string) {
  const { messages } = schema;
  return bed.db
    .select({
      id: messages.id,
      uid: imapUid,
      uidValidity: messages.uidValidity,
      duplicateOf: messages.duplicateOf,
      messageId: messages.messageId,
    })
    .from(messages)
    .where(eq(messages.accountId, accountId))
    .orderBy(asc(messages.id));
}

describe('incremental sync', () => {
  it('fetches only what is new: 300, then 50 more, gives exactly 350 rows', async () => {
    const address = 'incremental@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 300, seed: 11 });

    const first = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(first.accounts).toMatchObject([{ accountId, outcome: 'success', fetched: 300 }]);

    await bed.harness.seed.messages(address, { count: 50, seed: 11, offset: 300 });
    const second = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(second.accounts).toMatchObject([{ accountId, outcome: 'success', fetched: 50 }]);

    const stored = await rows(accountId);
    expect(stored).toHaveLength(350);
    expect(new Set(stored.map((r) => r.uid)).size).toBe(350);
    const [state] = await bed.db
      .select()
      .from(schema.mailFolderState)
      .where(eq(schema.mailFolderState.accountId, accountId));
    expect(state).toMatchObject({ lastUid: 350, messagesOnServer: 350, uidNext: 351 });

    const runs = await bed.db
      .select()
      .from(schema.syncRuns)
      .where(eq(schema.syncRuns.accountId, accountId))
      .orderBy(asc(schema.syncRuns.id));
    expect(runs.map((r) => [r.outcome, r.messages])).toEqual([
      ['success', 300],
      ['success', 50],
    ]);
    expect(runs.every((r) => r.finishedAt !== null && r.bytes > 0)).toBe(true);
    const [account] = await bed.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, accountId));
    expect(account).toMatchObject({
      lastSyncOutcome: 'success',
      lastError: null,
      consecutiveFailures: 0,
      leaseOwner: null,
    });
    expect(account?.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
  });

  it('writes nothing for a folder with nothing new, and picks up what arrives after', async () => {
    const address = 'unchanged@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 5, seed: 17 });
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    const state = () =>
      bed.db.select().from(schema.mailFolderState).where(eq(schema.mailFolderState.accountId, accountId));
    const [before] = await state();

    const idle = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(idle.accounts).toMatchObject([{ outcome: 'success', fetched: 0 }]);
    // The folder's row was only read: an idle pass over many mailboxes writes no folder state.
    expect((await state())[0]?.updatedAt).toEqual(before?.updatedAt);

    await bed.harness.seed.messages(address, { count: 2, seed: 18 });
    const next = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(next.accounts).toMatchObject([{ outcome: 'success', fetched: 2 }]);
    expect((await state())[0]).toMatchObject({ lastUid: 7, messagesOnServer: 7 });
  });

  it('stores every source byte-exact as the server serves it, with parsed fields and attachments', async () => {
    const address = 'exact@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 60, seed: 5 });
    // Bare LF, NUL and 8-bit bytes: the server serves its own normalisation, which is what must be kept.
    const odd = Buffer.concat([
      Buffer.from('From: a@b.test\nSubject: odd\nMessage-ID: <odd@x>\n\nbody with nul '),
      Buffer.from([0, 0xff, 0xfe]),
      Buffer.from('\r\nend\n'),
    ]);
    await bed.harness.seed.raw(address, [odd]);
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });

    const expected = await serverSources(bed.harness, address, await bed.tokenFor(address));
    const stored = await bed.db
      .select({
        uid: imapUid,
        sha256: schema.messageSources.sha256,
        digest: sql<string>`encode(sha256(${schema.messageSources.source}), 'hex')`,
      })
      .from(schema.messages)
      .innerJoin(schema.messageSources, eq(schema.messageSources.messageId, schema.messages.id))
      .where(eq(schema.messages.accountId, accountId));
    expect(stored).toHaveLength(61);
    for (const row of stored) {
      expect(row.digest).toBe(expected.get(row.uid));
      expect(row.sha256).toBe(row.digest);
    }
    const [withFiles] = await bed.db
      .select({ n: count() })
      .from(schema.attachments)
      .innerJoin(schema.messages, eq(schema.messages.id, schema.attachments.messageId))
      .where(eq(schema.messages.accountId, accountId));
    expect(withFiles?.n).toBeGreaterThan(0);
    const [first] = await bed.db
      .select()
      .from(schema.messages)
      .where(and(eq(schema.messages.accountId, accountId), eq(schema.messages.uid, 1)));
    expect(first?.subject).toMatch(/#0$/);
    expect(first?.fromAddress).toBeTruthy();
  });

  it('stores an unparseable message raw with its parse error and goes on', async () => {
    const address = 'broken@contoso.test';
    const accountId = await bed.addAccount(address);
    // Nested deeper than the parser accepts: parseMessage reports it, the raw bytes must still be stored.
    const deep = Array.from(
      { length: 120 },
      (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n`,
    ).join('');
    const broken = Buffer.from(
      `From: x@y.test\nSubject: deep\nMessage-ID: <deep@x>\nMIME-Version: 1.0\n${deep}Content-Type: text/plain\n\nhi\n`,
    );
    await bed.harness.seed.raw(address, [broken]);
    await bed.harness.seed.messages(address, { count: 3, seed: 9 });
    const report = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(report.accounts[0]).toMatchObject({ outcome: 'success', fetched: 4 });
    const [row] = await bed.db
      .select({
        parseError: schema.messages.parseError,
        subject: schema.messages.subject,
        bytes: sql<number>`length(${schema.messageSources.source})`,
      })
      .from(schema.messages)
      .innerJoin(schema.messageSources, eq(schema.messageSources.messageId, schema.messages.id))
      .where(and(eq(schema.messages.accountId, accountId), eq(schema.messages.uid, 1)));
    expect(row?.parseError).toMatch(/nested/);
    expect(row?.subject).toBe('deep');
    expect(Number(row?.bytes)).toBeGreaterThan(broken.length); // CRLF as served
  });

  it('records a message over the size limit with its headers only and does not let it block later ones', async () => {
    const address = 'oversize@contoso.test';
    const accountId = await bed.addAccount(address);
    const big = Buffer.from(
      `From: big@y.test\r\nSubject: huge\r\nMessage-ID: <huge@x>\r\n\r\n${'x'.repeat(300_000)}\r\n`,
    );
    await bed.harness.seed.messages(address, { count: 2, seed: 3 });
    await bed.harness.seed.raw(address, [big]);
    await bed.harness.seed.messages(address, { count: 2, seed: 3, offset: 2 });
    const report = await runSync(bed.deps({ maxMessageBytes: 200_000 }), {
      trigger: 'manual',
      accountIds: [accountId],
    });
    expect(report.accounts[0]).toMatchObject({ outcome: 'success', fetched: 5 });
    const stored = await bed.db
      .select({
        uid: imapUid,
        subject: schema.messages.subject,
        skippedReason: schema.messages.skippedReason,
        size: schema.messages.size,
        source: schema.messageSources.messageId,
      })
      .from(schema.messages)
      .leftJoin(schema.messageSources, eq(schema.messageSources.messageId, schema.messages.id))
      .where(eq(schema.messages.accountId, accountId))
      .orderBy(asc(schema.messages.uid));
    expect(stored.map((r) => r.uid)).toEqual([1, 2, 3, 4, 5]);
    expect(stored[2]).toMatchObject({ subject: 'huge', source: null });
    // Only the server's RFC822.SIZE is known for it, and Exchange's is an estimate: "about", near the real size.
    expect(Math.abs((stored[2]?.size ?? 0) - big.length)).toBeLessThan(big.length * 0.2);
    expect(stored[2]?.skippedReason).toMatch(/^too_large: about \d+ bytes/);
    expect(stored.filter((r) => r.skippedReason === null && r.source !== null)).toHaveLength(4);
  });

  it('starts a new generation when UIDVALIDITY changes and links the re-listed copies instead of storing them again', async () => {
    const address = 'uidvalidity@contoso.test';
    const accountId = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 20, seed: 21 });
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    const before = await rows(accountId);
    const oldValidity = before[0]?.uidValidity;

    const newValidity = await bed.harness.seed.changeUidValidity(address);
    await bed.harness.seed.messages(address, { count: 5, seed: 21, offset: 20 });
    const report = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(report.accounts[0]).toMatchObject({ outcome: 'success', fetched: 25 });

    const after = await rows(accountId);
    expect(after).toHaveLength(45);
    const fresh = after.filter((r) => r.uidValidity === newValidity);
    expect(fresh).toHaveLength(25);
    const original = new Map(before.map((r) => [r.messageId, r.id]));
    const copies = fresh.filter((r) => r.duplicateOf !== null);
    expect(copies).toHaveLength(20);
    for (const copy of copies) expect(copy.duplicateOf).toBe(original.get(copy.messageId));
    expect(before.every((r) => r.uidValidity === oldValidity)).toBe(true);
    // Copies share the original's source and attachments rather than storing them again.
    const [sources] = await bed.db
      .select({ n: count() })
      .from(schema.messageSources)
      .innerJoin(schema.messages, eq(schema.messages.id, schema.messageSources.messageId))
      .where(and(eq(schema.messages.accountId, accountId), isNotNull(schema.messages.duplicateOf)));
    expect(sources?.n).toBe(0);
    const [state] = await bed.db
      .select()
      .from(schema.mailFolderState)
      .where(eq(schema.mailFolderState.accountId, accountId));
    expect(state).toMatchObject({ uidValidity: newValidity, lastUid: Math.max(...fresh.map((r) => r.uid)) });
  });
});

describe('after-fetch modes', () => {
  it('delete removes exactly the messages whose rows committed, even when the connection drops mid-run', async () => {
    const address = 'delete@contoso.test';
    const accountId = await bed.addAccount(address, { afterFetch: 'delete' });
    await bed.harness.seed.messages(address, { count: 40, seed: 31 });
    const all = await serverUids(bed.harness, address, await bed.tokenFor(address));
    // Batches of 10; the proxy cuts the session in the last batch, after the deletes of the first batches.
    const total = [...generateMessages({ count: 40, seed: 31, to: address })].reduce((sum, m) => sum + m.raw.length, 0);
    const proxy = await bed.harness.imapProxy({ dropAfterBytes: Math.floor(total * 0.9) });
    const cut = await runSync(
      bed.deps({
        // One FETCH carries at most `bytes` of batches: with 1 each batch of 10 is a FETCH of its own, so the
        // deletes of the first batches run before the cut (within one FETCH they would wait for its end).
        batch: { messages: 10, bytes: 1 },
        imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }),
        // The cut falls on the session that deletes; a parallel first sync spreads the bytes over four.
        connectionsPerMailbox: 1,
      }),
      { trigger: 'manual', accountIds: [accountId] },
    );
    expect(cut.accounts[0]?.outcome).toBe('failed');
    expect(proxy.dropped).toBe(1);
    const storedUids = (await rows(accountId)).map((r) => r.uid);
    const left = await serverUids(bed.harness, address, await bed.tokenFor(address));
    expect(storedUids.length).toBeGreaterThan(0);
    expect(left.length).toBeGreaterThan(0);
    // Nothing lost: every message gone from the server has its row. (A committed batch whose delete the cut
    // prevented is still on the server; the next run deletes it.)
    const deleted = all.filter((uid) => !left.includes(uid));
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.filter((uid) => !storedUids.includes(uid))).toEqual([]);

    const rerun = await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    expect(rerun.accounts[0]).toMatchObject({ outcome: 'success', fetched: all.length - storedUids.length });
    expect(await serverUids(bed.harness, address, await bed.tokenFor(address))).toEqual([]);
    expect((await rows(accountId)).map((r) => r.uid).sort((a, b) => a - b)).toEqual(all);
  });

  it('mark_seen flags fetched messages \\Seen only after storing them', async () => {
    const address = 'markseen@contoso.test';
    const accountId = await bed.addAccount(address, { afterFetch: 'mark_seen' });
    await bed.harness.seed.messages(address, { count: 12, seed: 41 });
    await runSync(bed.deps(), { trigger: 'manual', accountIds: [accountId] });
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: bed.harness.imapPort,
      secure: false,
      auth: { user: address, accessToken: await bed.tokenFor(address) },
      logger: false,
    });
    await client.connect();
    await client.mailboxOpen('INBOX', { readOnly: true });
    const unseen = await client.search({ seen: false }, { uid: true });
    await client.logout();
    expect(unseen).toEqual([]);
    const stored = await rows(accountId);
    expect(stored).toHaveLength(12);
  });
});
