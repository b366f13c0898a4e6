import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailAccounts, messages, syncRuns } from '@/lib/db/schema';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';

const CRON_SECRET = 'cron-secret-for-tests-0123456789';
let f: ChannelFixture;
let route: typeof import('@/app/api/cron/sync/route');
let accountId: string;

beforeAll(async () => {
  process.env.CRON_SECRET = CRON_SECRET;
  f = await startChannelFixture();
  const result = await f.complete(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
  if (!result.ok || !result.outcome.ok) throw new Error('connect failed');
  accountId = result.outcome.accountId;
  await f.harness.seed.messages('alice@contoso.test', { count: 30, seed: 7 });
  route = await import('@/app/api/cron/sync/route');
});
afterAll(async () => f?.stop());

const call = (authorization?: string) =>
  route.GET(new Request('http://127.0.0.1/api/cron/sync', { headers: authorization ? { authorization } : {} }));

describe('the cron sync route', () => {
  it('refuses a call without the bearer secret, or with a wrong one, before doing any work', async () => {
    for (const header of [undefined, `Bearer ${CRON_SECRET}x`, CRON_SECRET, 'Bearer ']) {
      const response = await call(header);
      expect(response.status).toBe(401);
    }
    const [account] = await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, accountId));
    expect(account?.leaseOwner).toBeNull();
    expect(await f.db.select().from(syncRuns)).toEqual([]);
  });

  it('syncs every due mailbox with its stored sign-in, then finds nothing new', async () => {
    const response = await call(`Bearer ${CRON_SECRET}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accounts: { accountId: string; fetched: number; outcome: string }[] };
    expect(body.accounts).toEqual([expect.objectContaining({ accountId, fetched: 30, outcome: 'success' })]);
    expect(await f.db.select({ id: messages.id }).from(messages)).toHaveLength(30);

    // Due again only after the interval: make it due and check the incremental pass fetches nothing.
    await f.db
      .update(mailAccounts)
      .set({ nextAttemptAt: new Date(0) })
      .where(eq(mailAccounts.id, accountId));
    const again = (await (await call(`Bearer ${CRON_SECRET}`)).json()) as { accounts: { fetched: number }[] };
    expect(again.accounts[0]?.fetched).toBe(0);
  });

  it('syncs only the mailboxes named with ?account, even when not due, and refuses an id that is not one', async () => {
    const named = (await (
      await route.POST(
        new Request(`http://127.0.0.1/api/cron/sync?account=${accountId}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CRON_SECRET}` },
        }),
      )
    ).json()) as { accounts: { accountId: string }[] };
    expect(named.accounts.map((a) => a.accountId)).toEqual([accountId]);
    const bad = await route.POST(
      new Request('http://127.0.0.1/api/cron/sync?account=1%27or%201=1', {
        method: 'POST',
        headers: { authorization: `Bearer ${CRON_SECRET}` },
      }),
    );
    expect(bad.status).toBe(400);
  });

  it('keeps the rotated refresh token: after a refresh the old one is dead and the sync still works', async () => {
    // Microsoft keeps a used refresh token valid; strict rotation makes a lost rotation fail this test.
    await f.harness.control.setStrictRefreshTokenRotation(true);
    const [before] = await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, accountId));
    await f.harness.control.expireAccessTokens('alice@contoso.test');
    await f.harness.seed.messages('alice@contoso.test', { count: 5, seed: 8, offset: 30 });
    for (let run = 0; run < 2; run += 1) {
      await f.db
        .update(mailAccounts)
        .set({ nextAttemptAt: new Date(0) })
        .where(eq(mailAccounts.id, accountId));
      const body = (await (await call(`Bearer ${CRON_SECRET}`)).json()) as { accounts: { outcome: string }[] };
      expect(body.accounts[0]?.outcome).toBe('success');
      await f.harness.control.expireAccessTokens('alice@contoso.test');
    }
    const [after] = await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, accountId));
    expect(after?.tokenCacheSealed).not.toBe(before?.tokenCacheSealed);
    expect(await f.db.select({ id: messages.id }).from(messages)).toHaveLength(35);
  });

  it('marks a revoked sign-in as needing re-authentication', async () => {
    await f.harness.control.revokeUser('alice@contoso.test');
    await f.harness.control.expireAccessTokens('alice@contoso.test');
    await f.db
      .update(mailAccounts)
      .set({ nextAttemptAt: new Date(0) })
      .where(eq(mailAccounts.id, accountId));
    const body = (await (await call(`Bearer ${CRON_SECRET}`)).json()) as {
      accounts: { outcome: string; error?: { code: string } }[];
    };
    expect(body.accounts[0]?.outcome).toBe('failed');
    const [account] = await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, accountId));
    expect(account?.status).toBe('needs_reauth');
    expect(account?.lastError?.code).toMatch(/50173|invalid_grant/);
  });
});
