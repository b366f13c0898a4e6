/**
 * Faults part B, scenario 3: a throttling storm. Six mailboxes connected through the real flow all need a new
 * access token while the token endpoint answers 429 with Retry-After for two rounds. Each pass asks once per
 * mailbox (no hot loop), nobody is retried before Retry-After, nobody is marked needs_reauth, and after the
 * storm every message is stored exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTokenFixture, type TokenFixture } from '@/test/reliability/support/token-fixture';
import { recordExactness } from '@/test/reliability/support/scenarios';

const ALL = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((name) => `${name}@contoso.test`);
const RETRY_AFTER_S = 120;
const HOUR = 3_600_000;

let t: TokenFixture;
beforeAll(async () => {
  t = await startTokenFixture(ALL);
  for (const [n, address] of ALL.entries()) await t.f.harness.seed.messages(address, { count: 20, seed: 80 + n });
  const first = await t.pass();
  expect(first.accounts.filter((a) => a.outcome === 'success')).toHaveLength(ALL.length);
}, 180_000);
afterAll(async () => t?.stop());

const tokenRequests = async () =>
  (await t.f.harness.control.requests()).filter((r) => r.path.endsWith('/oauth2/v2.0/token')).length;

describe('a throttling storm at the token endpoint', () => {
  it('honours Retry-After without a hot loop, then syncs everything exactly once', async () => {
    for (const [n, address] of ALL.entries())
      await t.f.harness.seed.messages(address, { count: 10, seed: 80 + n, offset: 20 });
    await t.f.harness.control.expireAccessTokens(); // everyone must refresh
    await t.f.harness.control.throttle(ALL.length * 2, RETRY_AFTER_S); // two rounds of 429s
    await t.f.harness.control.clearRequests();

    // Round 1: every mailbox asks once, is told to wait, and waits at least Retry-After.
    let clock = HOUR;
    const stormAt = Date.now() + clock;
    const round1 = await t.pass({ laterMs: clock });
    expect(round1.accounts).toHaveLength(ALL.length);
    for (const report of round1.accounts) expect(report).toMatchObject({ outcome: 'failed', fetched: 0 });
    expect(await tokenRequests()).toBe(ALL.length);
    for (const address of ALL) {
      const row = await t.account(address);
      expect(row).toMatchObject({ status: 'active', consecutiveFailures: 1, leaseOwner: null });
      expect(row.lastError?.message).toMatch(/throttl|busy|too many|temporarily/i);
      // One failure alone would wait 48–72 s; Retry-After asked for 120 s.
      expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(stormAt + RETRY_AFTER_S * 1000 - 1000);
    }

    // Passes before Retry-After has passed touch nobody: no token requests, no IMAP logins.
    for (const laterS of [0, 30, 90]) {
      const early = await t.pass({ laterMs: clock + laterS * 1000 });
      expect(early.accounts).toEqual([]);
    }
    expect(await tokenRequests()).toBe(ALL.length);

    // Round 2: still throttled; again once each.
    clock += (RETRY_AFTER_S + 5) * 1000;
    const round2 = await t.pass({ laterMs: clock });
    expect(round2.accounts.map((a) => a.outcome)).toEqual(ALL.map(() => 'failed'));
    expect(await tokenRequests()).toBe(ALL.length * 2);
    for (const address of ALL)
      expect(await t.account(address)).toMatchObject({ status: 'active', consecutiveFailures: 2 });

    // The storm is over: one pass after the longest backoff (2 failures: at most 144 s) syncs everyone.
    clock += 150_000;
    const after = await t.pass({ laterMs: clock });
    expect(after.accounts).toHaveLength(ALL.length);
    for (const report of after.accounts) expect(report).toMatchObject({ outcome: 'success', fetched: 10 });
    expect(await tokenRequests()).toBe(ALL.length * 3);
    for (const address of ALL)
      expect(await t.account(address)).toMatchObject({ status: 'active', consecutiveFailures: 0, lastError: null });

    const totals = await t.totals(ALL);
    expect(totals).toMatchObject({ expected: 180, stored: 180, lost: 0, duplicated: 0, altered: 0 });
    await recordExactness(
      'throttling storm: token endpoint 429 + Retry-After, 6 mailboxes, 2 rounds',
      totals,
      `${ALL.length * 3} token requests in all (1 per mailbox per due pass); none before Retry-After; none needs_reauth`,
    );
  }, 180_000);
});
