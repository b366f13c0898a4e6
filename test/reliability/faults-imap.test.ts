/**
 * IMAP-side faults in the middle of a sync against the real harness and Postgres: Dovecot killed, the connection
 * cut after N bytes, the server ending the session with BYE. Each run fails cleanly (a sensible error, lease
 * released, no batch without its watermark) and the next run stores the mailbox exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages } from '@/test/harness/messages';
import { between, prng } from '@/test/harness/random';
import { accountRow, exactness, leaseIsFree, watermarkCoverage } from '@/test/reliability/support/fault-checks';
import { recordExactness } from '@/test/reliability/support/scenarios';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import type { AccountSyncReport, SyncDeps, SyncReport } from '@/lib/sync/types';

let bed: SyncTestbed;
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed();
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());

// Small batches: many transactions per run, so a fault lands between and inside them.
const BATCH = { messages: 20, bytes: 16 * 1024 * 1024 };
const MAILBOX = { count: 120, seed: 902, profile: 'realistic' as const };
// What the mailbox weighs on the wire (Dovecot serves LF as CRLF, so a little more): where cut points may fall.
const MAILBOX_BYTES = [...generateMessages({ ...MAILBOX, to: 'x@contoso.test' })].reduce(
  (sum, m) => sum + m.raw.length,
  0,
);

async function addSeededAccount(address: string): Promise<string> {
  const id = await bed.addAccount(address);
  await bed.harness.seed.messages(address, MAILBOX);
  return id;
}

// One connection: each fault here lands on the session's own; test/sync-parallel.test.ts cuts and throttles
// the connections of a first sync fetched in parallel.
function sync(id: string, overrides: Partial<SyncDeps> = {}): Promise<SyncReport> {
  return runSync(bed.deps({ batch: BATCH, connectionsPerMailbox: 1, ...overrides }), {
    trigger: 'manual',
    accountIds: [id],
  });
}

/** The faulty run: failed with the expected kind of error, nothing held, nothing stored past the watermark. */
async function expectCleanFailure(id: string, address: string, report: SyncReport, code: RegExp) {
  const [result] = report.accounts as [AccountSyncReport];
  expect(result).toMatchObject({ accountId: id, outcome: 'failed' });
  expect(result.error?.code).toMatch(code);
  const row = await accountRow(bed.db, id);
  expect(row).toMatchObject({
    status: 'active',
    leaseOwner: null,
    consecutiveFailures: 1,
    lastSyncOutcome: 'failed',
    lastError: { code: result.error?.code },
  });
  expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
  const coverage = await watermarkCoverage(bed.db, bed.harness, id, address);
  expect(coverage).toMatchObject({ storedAbove: 0, missingBelow: 0 });
  expect(coverage.stored).toBeLessThan(MAILBOX.count);
  return { code: result.error?.code ?? '', stored: coverage.stored };
}

/** The run after: complete, exact, and the account healthy again. */
async function expectFollowUpCompletes(id: string, address: string) {
  const report = await sync(id);
  expect(report.accounts[0]).toMatchObject({ outcome: 'success' });
  const exact = await exactness(bed.db, bed.harness, id, address);
  expect(exact).toMatchObject({ expected: MAILBOX.count, stored: MAILBOX.count, lost: 0, duplicated: 0, altered: 0 });
  expect(await accountRow(bed.db, id)).toMatchObject({
    status: 'active',
    consecutiveFailures: 0,
    lastError: null,
    lastSyncOutcome: 'success',
  });
  expect(await leaseIsFree(bed.db, id)).toBe(true);
  return exact;
}

describe('Dovecot crash', () => {
  it('fails cleanly when Dovecot is SIGKILLed mid-batch, and the run after its restart stores the mailbox exactly', async () => {
    const address = 'crash@contoso.test';
    const id = await addSeededAccount(address);
    let killed: Promise<void> | undefined;
    const report = await sync(id, {
      onProgress: (event) => {
        // The first batch is committed and the next one is downloading: kill the whole server right now.
        if (event.type === 'batch-stored' && !killed) killed = bed.harness.dovecot.kill();
      },
    });
    expect(killed).toBeDefined();
    await killed;
    await bed.harness.dovecot.start();
    const failed = await expectCleanFailure(id, address, report, /^(network|imap\.)/);
    expect(failed.stored).toBeGreaterThan(0);
    const exact = await expectFollowUpCompletes(id, address);
    await recordExactness(
      'Dovecot SIGKILLed mid-batch, then restarted',
      exact,
      `run failed (${failed.code}) with ${failed.stored} stored; lease released; next run exact`,
    );
  });
});

describe('connection cut after N bytes', () => {
  // One seeded cut point in each third of the mailbox's bytes: early (often before any FETCH), middle, late.
  const rand = prng(9_021);
  const third = Math.floor((MAILBOX_BYTES * 0.9) / 3);
  const cuts = [0, 1, 2].map((i) => between(rand, 1_000 + i * third, (i + 1) * third));

  it.each(cuts.map((cut, i) => [i + 1, cut] as const))(
    'cut %i at %i bytes: the run fails cleanly, the next one stores the mailbox exactly',
    async (n, cut) => {
      const address = `cut${n}@contoso.test`;
      const id = await addSeededAccount(address);
      const proxy = await bed.harness.imapProxy({ dropAfterBytes: cut });
      const report = await sync(id, { imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }) });
      expect(proxy.dropped).toBe(1);
      const failed = await expectCleanFailure(id, address, report, /^(network|imap\.)/);
      const exact = await expectFollowUpCompletes(id, address);
      await recordExactness(
        `Connection cut after ${cut} of ~${MAILBOX_BYTES} bytes`,
        exact,
        `run failed (${failed.code}) with ${failed.stored} stored; lease released; next run exact`,
      );
    },
  );
});

describe('server BYE mid-fetch', () => {
  const byes = [{ text: 'Connection closed. 14', code: 'imap.bye' }];

  it.each(byes)(
    '"* BYE $text" between two FETCH responses: $code, then the next run is exact',
    async ({ text, code }) => {
      const address = `bye-${code.replace(/\W/g, '-')}@contoso.test`;
      const id = await addSeededAccount(address);
      const proxy = await bed.harness.imapProxy({ byeAfterBytes: Math.floor(MAILBOX_BYTES * 0.4), byeText: text });
      const report = await sync(id, { imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }) });
      expect(proxy.byes).toBe(1);
      const failed = await expectCleanFailure(id, address, report, new RegExp(`^${code.replace('.', '\\.')}$`));
      expect(failed.stored).toBeGreaterThan(0);
      const exact = await expectFollowUpCompletes(id, address);
      await recordExactness(
        `IMAP "* BYE ${text}" mid-fetch`,
        exact,
        `run failed (${failed.code}) with ${failed.stored} stored; lease released; next run exact`,
      );
    },
  );

  // What Exchange sends when a session outlives its access token (iroco-co/aioimaplib#83): the run signs in again
  // with a fresh token and goes on, so the mailbox is exact after this one run and no failure is counted.
  it('"* BYE Session invalidated - AccessTokenExpired" between two FETCH responses: the same run reconnects and is exact', async () => {
    const address = 'bye-token-expired@contoso.test';
    const id = await addSeededAccount(address);
    const text = 'Session invalidated - AccessTokenExpired';
    const proxy = await bed.harness.imapProxy({ byeAfterBytes: Math.floor(MAILBOX_BYTES * 0.4), byeText: text });
    const report = await sync(id, { imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }) });
    expect(proxy.byes).toBeGreaterThanOrEqual(1);
    expect(report.accounts[0]).toMatchObject({ outcome: 'success' });
    const exact = await exactness(bed.db, bed.harness, id, address);
    expect(exact).toMatchObject({ expected: MAILBOX.count, stored: MAILBOX.count, lost: 0, duplicated: 0, altered: 0 });
    expect(await accountRow(bed.db, id)).toMatchObject({ status: 'active', consecutiveFailures: 0, lastError: null });
    expect(await leaseIsFree(bed.db, id)).toBe(true);
    await recordExactness(
      `IMAP "* BYE ${text}" mid-fetch`,
      exact,
      `same run signed in again ${proxy.byes} time(s) with a fresh token; no failure counted; exact`,
    );
  });
});
