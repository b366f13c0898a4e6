/**
 * Faults part B, scenario 2: one mailbox's sign-in revoked at Microsoft ("Revoke sessions") between runs and
 * during a run, among several connected through the real flow. That mailbox waits for re-authentication with a
 * plain explanation; the others go on; nothing stored is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordScenario } from '@/test/reliability/support/scenarios';
import { startTokenFixture, type TokenFixture } from '@/test/reliability/support/token-fixture';

const ALL = ['alice@contoso.test', 'bob@contoso.test', 'carol@contoso.test', 'dave@contoso.test'];
const HOUR = 3_600_000;

let t: TokenFixture;
beforeAll(async () => {
  t = await startTokenFixture(ALL);
  for (const [n, address] of ALL.entries()) await t.f.harness.seed.messages(address, { count: 30, seed: 60 + n });
}, 120_000);
afterAll(async () => t?.stop());

function expectReauthExplained(row: Awaited<ReturnType<TokenFixture['account']>>) {
  expect(row).toMatchObject({ status: 'needs_reauth', leaseOwner: null, lastSyncOutcome: 'failed' });
  expect(row.lastError?.code).toMatch(/^AADSTS50173$/);
  expect(row.lastError?.message).toMatch(/revoked/i);
  expect(row.lastError?.message).not.toMatch(/AADSTS|Trace ID|Correlation|invalid_grant/);
  expect(row.lastError?.hint).toMatch(/Re-authenticate/);
}

describe('a refresh token revoked at Microsoft', () => {
  it('between runs: that mailbox needs re-authentication, the others sync, nothing is lost', async () => {
    const first = await t.pass();
    expect(first.accounts.every((a) => a.outcome === 'success')).toBe(true);
    const revoked = 'bob@contoso.test';
    await t.f.harness.control.revokeUser(revoked);
    for (const [n, address] of ALL.entries())
      await t.f.harness.seed.messages(address, { count: 10, seed: 60 + n, offset: 30 });

    const report = await t.pass({ laterMs: HOUR });
    const byAddress = new Map(report.accounts.map((a) => [a.address, a]));
    expect(byAddress.get(revoked)).toMatchObject({ outcome: 'failed', fetched: 0, nextAttemptAt: null });
    for (const address of ALL.filter((a) => a !== revoked))
      expect(byAddress.get(address)).toMatchObject({ outcome: 'success', fetched: 10 });
    expectReauthExplained(await t.account(revoked));

    // Not retried on its own, however late: no token requests for it either.
    await t.f.harness.control.clearRequests();
    const later = await t.pass({ laterMs: 30 * HOUR });
    expect(later.accounts.map((a) => a.address)).not.toContain(revoked);
    expect((await t.f.harness.control.requests()).filter((r) => r.path.endsWith('/token'))).toHaveLength(0);

    // What was stored before the revocation stays: the first 30, exactly once each.
    const kept = await t.exactness(revoked);
    expect(kept).toMatchObject({ expected: 40, stored: 30, lost: 10, duplicated: 0, altered: 0 });
    const others = await t.totals(ALL.filter((a) => a !== revoked));
    expect(others).toMatchObject({ expected: 120, stored: 120, lost: 0, duplicated: 0, altered: 0 });
    await recordScenario({
      group: 'faults',
      scenario: 'refresh token revoked between runs (1 of 4 mailboxes)',
      expected: others.expected + 30,
      stored: others.stored + kept.stored,
      lost: others.lost,
      duplicated: others.duplicated + kept.duplicated,
      note: 'revoked one: needs_reauth (AADSTS50173, plain text), its 30 stored kept, its 10 new wait for re-auth; 3 others 0/0',
    });
  }, 120_000);

  it('during a run: the mailbox being synced stops cleanly, keeps what it committed, the others finish', async () => {
    const revoked = 'carol@contoso.test';
    const big = 'dave@contoso.test';
    for (const [n, address] of ALL.entries())
      await t.f.harness.seed.messages(address, { count: 200, seed: 60 + n, offset: 40 });
    const committed: number[] = [];
    let revoking: Promise<void> | undefined;
    // Revoke after carol's first committed batch; her IMAP session is cut by the revocation on the next login,
    // and her refresh fails. Small batches make the run long enough to be mid-way.
    const report = await t.pass({
      laterMs: 40 * HOUR,
      deps: {
        batch: { messages: 20, bytes: 16 * 1024 * 1024 },
        onProgress: (event) => {
          if (event.type === 'batch-stored' && event.address === revoked) {
            committed.push(event.fetched);
            revoking ??= t.f.harness.control
              .revokeUser(revoked)
              .then(() => t.f.harness.control.expireAccessTokens(revoked));
          }
        },
      },
    });
    await revoking;
    expect(committed.length).toBeGreaterThan(0);
    // The session already open finishes the folder (IMAP checks the token at login), so the revocation shows on
    // the next run: make her due and run again.
    const next = await t.pass({ laterMs: 41 * HOUR });
    const carolNow = [...report.accounts, ...next.accounts].filter((a) => a.address === revoked);
    expect(carolNow.at(-1)).toMatchObject({ outcome: 'failed' });
    expectReauthExplained(await t.account(revoked));
    expect(report.accounts.find((a) => a.address === big)).toMatchObject({ outcome: 'success', fetched: 200 });

    const carol = await t.exactness(revoked);
    expect(carol).toMatchObject({ duplicated: 0, altered: 0 });
    // Everything carol committed before the revocation stays, and each stored row is one of the server's
    // messages: lost counts only what waits for re-authentication.
    expect(carol.stored).toBeGreaterThanOrEqual(40 + (committed[0] ?? 0));
    expect(carol.lost).toBe(carol.expected - carol.stored);
    const others = await t.totals(ALL.filter((a) => a !== revoked && a !== 'bob@contoso.test'));
    expect(others).toMatchObject({ expected: 480, stored: 480, lost: 0, duplicated: 0, altered: 0 });
    await recordScenario({
      group: 'faults',
      scenario: 'refresh token revoked during a run (1 of 4 mailboxes)',
      expected: others.expected + carol.stored,
      stored: others.stored + carol.stored,
      lost: others.lost,
      duplicated: others.duplicated + carol.duplicated,
      note: `revoked one: needs_reauth, ${carol.stored} committed kept (0 dup), ${carol.expected - carol.stored} wait for re-auth; others 0/0`,
    });
  }, 180_000);
});
