import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needsRefreshBeforeLogin, renewalTime, RENEW_MARGIN_MS } from '@/lib/sync/mail-session';
import type { AccessGrant, SyncAccount } from '@/lib/sync/types';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';

const MINUTE = 60_000;

describe('when a session signs in again', () => {
  const now = Date.parse('2026-12-05T08:00:00Z');
  const grant = (minutesLeft: number): AccessGrant => ({
    accessToken: 'opaque',
    expiresOn: new Date(now + minutesLeft * MINUTE),
  });

  it('renews a Microsoft token (60–90 minutes) 10 minutes before it expires', () => {
    expect(RENEW_MARGIN_MS).toBe(10 * MINUTE);
    for (const minutes of [60, 75, 90]) expect(renewalTime(grant(minutes), now)).toBe(now + (minutes - 10) * MINUTE);
  });

  it('refreshes a cached token with less than 20 minutes left before signing in with it', () => {
    // msal hands out a cached token until 5 minutes before expiry: a session must not start on one of those.
    expect(needsRefreshBeforeLogin(grant(6), now)).toBe(true);
    expect(needsRefreshBeforeLogin(grant(19), now)).toBe(true);
    expect(needsRefreshBeforeLogin(grant(21), now)).toBe(false);
    expect(needsRefreshBeforeLogin({ accessToken: 'x', expiresOn: null }, now)).toBe(false);
  });

  it('renews halfway through a token shorter-lived than Microsoft’s, and never for an unknown expiry', () => {
    expect(renewalTime({ accessToken: 'x', expiresOn: new Date(now + 2_000) }, now)).toBe(now + 1_000);
    expect(renewalTime({ accessToken: 'x', expiresOn: null }, now)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('a long run outlives its tokens', () => {
  let bed: SyncTestbed;
  let schema: typeof import('@/lib/db/schema');
  let runSync: typeof import('@/lib/sync/run').runSync;

  beforeAll(async () => {
    bed = await startSyncTestbed();
    schema = await import('@/lib/db/schema');
    ({ runSync } = await import('@/lib/sync/run'));
  });
  afterAll(() => bed?.stop());

  /**
   * Like msal: the cached token until asked to refresh, then a new one from the stand-in, its expiry reckoned on
   * `clock` as msal reckons `expiresOn` on the local clock.
   */
  function msalLikeTokens(address: string, clock: () => number = Date.now, onRefresh?: () => void) {
    let cached: AccessGrant | undefined;
    const calls: Array<{ forceRefresh: boolean }> = [];
    const getAccessToken = async (_: SyncAccount, options: { forceRefresh?: boolean } = {}) => {
      calls.push({ forceRefresh: options.forceRefresh === true });
      if (!cached || options.forceRefresh) {
        if (cached) onRefresh?.();
        const issued = await bed.harness.control.issueTokens({ address });
        cached = { accessToken: issued.access_token, expiresOn: new Date(clock() + issued.expires_in * 1000) };
      }
      return cached;
    };
    return { getAccessToken, refreshes: () => calls.filter((c) => c.forceRefresh).length };
  }

  const uidCounts = (id: string) =>
    bed.db
      .select({ uid: schema.messages.uid, n: sql<number>`count(*)::int` })
      .from(schema.messages)
      .where(eq(schema.messages.accountId, id))
      .groupBy(schema.messages.uid)
      .orderBy(asc(schema.messages.uid));
  const accountRow = async (id: string) =>
    (await bed.db.select().from(schema.mailAccounts).where(eq(schema.mailAccounts.id, id)))[0];
  const runsOf = (id: string) => bed.db.select().from(schema.syncRuns).where(eq(schema.syncRuns.accountId, id));

  async function expectCompleteWithoutFailure(id: string, count: number) {
    const counts = await uidCounts(id);
    expect(counts).toHaveLength(count);
    expect(counts.every((c, i) => c.uid === i + 1 && c.n === 1)).toBe(true);
    expect(await accountRow(id)).toMatchObject({
      status: 'active',
      consecutiveFailures: 0,
      lastError: null,
      lastSyncOutcome: 'success',
    });
    const runs = await runsOf(id);
    expect(runs.map((r) => r.outcome)).toEqual(['success']);
  }

  it('signs in again with a fresh token before the session’s token runs out, and the run goes on', async () => {
    // The stand-in issues 60-second tokens, and each stored batch costs 10 seconds of the engine's clock: the run
    // spends several tokens' lives, so it must renew its session on the way (at half a short token's life).
    bed.harness.emulator.state.settings.accessTokenLifetimeSeconds = 60;
    try {
      const address = 'longrun@contoso.test';
      const id = await bed.addAccount(address);
      await bed.harness.seed.messages(address, { count: 60, seed: 14 });
      let clock = Date.now();
      const tokens = msalLikeTokens(address, () => clock);
      const report = await runSync(
        bed.deps({
          getAccessToken: tokens.getAccessToken,
          now: () => new Date(clock),
          tokenClock: () => clock,
          batch: { messages: 5, bytes: 16 * 1024 * 1024 },
          // One session's token lifetimes; extra fetch connections would store more batches per session.
          connectionsPerMailbox: 1,
          onProgress: (event) => {
            if (event.type === 'batch-stored') clock += 10_000;
          },
        }),
        { trigger: 'manual', accountIds: [id] },
      );
      expect(report.accounts[0]).toMatchObject({ outcome: 'success', fetched: 60 });
      // 12 batches, 120 s of clock, tokens due for renewal 30 s after login: several sessions, each on a refresh.
      expect(tokens.refreshes()).toBeGreaterThanOrEqual(3);
      await expectCompleteWithoutFailure(id, 60);
    } finally {
      bed.harness.emulator.state.settings.accessTokenLifetimeSeconds = 3599;
    }
  });

  it('reconnects after “* BYE Session invalidated - AccessTokenExpired” with a fresh token, counting no failure', async () => {
    const address = 'expired@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 120, seed: 77 });
    // Exchange Online's words when a session outlives its token (iroco-co/aioimaplib#83, joeyates/imap-backup#198).
    const proxy = await bed.harness.imapProxy({
      byeAfterBytes: 200_000,
      byeText: 'Session invalidated - AccessTokenExpired',
    });
    // Exchange ends the session once; the new one, on a fresh token, is left alone.
    const tokens = msalLikeTokens(address, Date.now, () => (proxy.byeAfterBytes = undefined));
    const report = await runSync(
      bed.deps({
        getAccessToken: tokens.getAccessToken,
        imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }),
        batch: { messages: 25, bytes: 16 * 1024 * 1024 },
        // The proxy ends every connection after as many bytes: one connection, one BYE.
        connectionsPerMailbox: 1,
      }),
      { trigger: 'manual', accountIds: [id] },
    );
    expect(proxy.byes).toBe(1);
    expect(report.accounts[0]).toMatchObject({ outcome: 'success', fetched: 120 });
    expect(report.accounts[0]?.error).toBeUndefined();
    // The first login's token is fresh (3599 s); the reconnect after the BYE forced a refresh.
    expect(tokens.refreshes()).toBe(1);
    await expectCompleteWithoutFailure(id, 120);
  });

  it('still fails the run when Exchange ends every new session before anything is stored', async () => {
    const address = 'stuck@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 40, seed: 5 });
    // Past the login and SELECT, before the first batch's bodies: no session ever stores a batch.
    const proxy = await bed.harness.imapProxy({
      byeAfterBytes: 2_500,
      byeText: 'Session invalidated - AccessTokenExpired',
    });
    const tokens = msalLikeTokens(address);
    const report = await runSync(
      bed.deps({
        getAccessToken: tokens.getAccessToken,
        imapEndpoint: () => ({ host: '127.0.0.1', port: proxy.port, tls: false }),
      }),
      { trigger: 'manual', accountIds: [id] },
    );
    expect(report.accounts[0]).toMatchObject({ outcome: 'failed', error: { code: 'imap.session_expired' } });
    expect(proxy.byes).toBe(3); // the first session and two reconnects
    expect(await accountRow(id)).toMatchObject({ consecutiveFailures: 1, status: 'active' });
  });
});
