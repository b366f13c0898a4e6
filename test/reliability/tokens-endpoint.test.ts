/**
 * Faults part B, scenario 1: the token endpoint down, stalled, or answering 500 while one mailbox needs a new
 * access token. The product path throughout: accounts connected through the sign-in flow, tokens from their
 * sealed msal caches, the login URL pointed (by configuration) at a gate in front of the emulator.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reloadProductEnv, startTokenFixture, type TokenFixture } from '@/test/reliability/support/token-fixture';
import { recordExactness } from '@/test/reliability/support/scenarios';
import { startTokenGate, type TokenGate } from '@/test/reliability/support/token-gate';

const TARGET = 'alice@contoso.test';
const OTHERS = ['bob@contoso.test', 'carol@contoso.test'];
const ALL = [TARGET, ...OTHERS];
const HOUR = 3_600_000;
/** How long the stalled token endpoint holds its answer. */
const STALL_MS = 30_000;

let t: TokenFixture;
let gate: TokenGate;
/** Virtual time: each step runs the pass as if this much later, so backoffs pass without sleeping. */
let clock = 0;
let seeded = 0;

beforeAll(async () => {
  t = await startTokenFixture(ALL);
  gate = await startTokenGate(t.f.harness.emulator.port);
  reloadProductEnv({ MICROSOFT_LOGIN_URL: gate.url });
  await seedEach(20);
  const first = await t.pass();
  expect(first.accounts.map((a) => a.outcome)).toEqual(['success', 'success', 'success']);
}, 120_000);
afterAll(async () => {
  await gate?.close();
  await t?.stop();
});

async function seedEach(count: number): Promise<void> {
  for (const [n, address] of ALL.entries())
    await t.f.harness.seed.messages(address, { count, seed: 40 + n, offset: seeded });
  seeded += count;
}

/**
 * One fault: new mail everywhere, the target's access token dead (so it must refresh), the fault armed. The
 * target fails transiently with a plain error and a backoff, the others sync; after the fault the target
 * recovers and everything is stored exactly once.
 */
async function faultThenRecover(name: string, fault: { arm(): Promise<void>; disarm(): Promise<void>; code: RegExp }) {
  await seedEach(5);
  await t.f.harness.control.expireAccessTokens(TARGET);
  await fault.arm();
  clock += 3 * HOUR;
  const failedAt = Date.now() + clock;
  const report = await t.pass({ laterMs: clock });
  const target = report.accounts.find((a) => a.address === TARGET);
  expect(target).toMatchObject({ outcome: 'failed', fetched: 0 });
  expect(target?.error?.code).toMatch(fault.code);
  for (const other of OTHERS)
    expect(report.accounts.find((a) => a.address === other)).toMatchObject({ outcome: 'success', fetched: 5 });

  const row = await t.account(TARGET);
  expect(row.status).toBe('active'); // transient: not needs_reauth
  expect(row.leaseOwner).toBeNull();
  expect(row.consecutiveFailures).toBe(1);
  expect(row.lastError).toMatchObject({
    code: expect.stringMatching(fault.code),
    message: expect.any(String),
    hint: expect.any(String),
  });
  // A sentence for people: no library text, no stack, no token material.
  expect(row.lastError?.message).not.toMatch(/ECONNREFUSED|fetch failed|AbortError|Error:|AADSTS\d|eyJ|EwA/);
  // Backoff: the first failure waits about a minute (±20%), never zero.
  expect(row.nextAttemptAt.getTime()).toBeGreaterThan(failedAt + 45_000);

  // Retried later, not at once: a pass in the same (virtual) minute leaves it alone.
  const again = await t.pass({ laterMs: clock });
  expect(again.accounts.map((a) => a.address)).not.toContain(TARGET);

  await fault.disarm();
  clock += 3 * HOUR;
  const recovered = await t.pass({ laterMs: clock });
  expect(recovered.accounts.find((a) => a.address === TARGET)).toMatchObject({ outcome: 'success', fetched: 5 });
  expect(await t.account(TARGET)).toMatchObject({
    status: 'active',
    consecutiveFailures: 0,
    lastError: null,
    leaseOwner: null,
  });

  const totals = await t.totals(ALL);
  expect(totals).toMatchObject({ lost: 0, duplicated: 0, altered: 0, expected: seeded * ALL.length });
  await recordExactness(
    `token endpoint ${name}`,
    totals,
    `${row.lastError?.code}: transient, backoff, not needs_reauth; 2 others synced; lease released; recovered`,
  );
}

describe('the token endpoint in trouble while one mailbox must refresh', () => {
  it('unreachable (connection refused): a network error, retried later, the others sync', async () => {
    await faultThenRecover('unreachable (connection refused)', {
      arm: () => gate.refuse(),
      disarm: () => gate.open(),
      code: /^network$/,
    });
  }, 120_000);

  it('stalled for 30 s: the product gives up on its own timeout instead of hanging the run', async () => {
    const stalledAt = Date.now();
    await faultThenRecover('stalled 30 s (own timeout)', {
      // After the stall the emulator answers 503, so a client that waited it out fails differently (AADSTS90033).
      arm: async () => {
        await t.f.harness.control.setTokenDelay(STALL_MS);
        await t.f.harness.control.armTokenFault({ code: 90033, count: 1 });
      },
      disarm: async () => {
        await t.f.harness.control.setTokenDelay(0);
        // The stalled request still holds the 503; let it take it before the recovery asks for a token.
        const left = stalledAt + STALL_MS + 5_000 - Date.now();
        if (left > 0) await sleep(left);
      },
      code: /^network$/,
    });
  }, 180_000);

  it('answering 500: Microsoft’s bad moment is transient, retried later, the others sync', async () => {
    await faultThenRecover('answering 500', {
      arm: () => t.f.harness.control.armTokenFault({ code: 50000, count: 1 }),
      disarm: async () => {},
      code: /^AADSTS50000$/,
    });
  }, 120_000);
});
