import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailAccounts } from '@/lib/db/schema';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';

const CRON_SECRET = 'cron-secret-for-tests-0123456789';
const DAY = 24 * 60 * 60_000;
let f: ChannelFixture;
let route: typeof import('@/app/api/cron/sync/route');
const ids: Record<string, string> = {};

beforeAll(async () => {
  process.env.CRON_SECRET = CRON_SECRET;
  f = await startChannelFixture({ users: [{ address: 'carol@contoso.test', displayName: 'Carol Example' }] });
  for (const address of ['alice@contoso.test', 'bob@contoso.test', 'carol@contoso.test']) {
    const result = await f.complete(await f.signIn({ kind: 'connect' }, address));
    if (!result.ok || !result.outcome.ok) throw new Error(`connect ${address} failed`);
    ids[address] = result.outcome.accountId;
  }
  route = await import('@/app/api/cron/sync/route');
});
afterAll(async () => f?.stop());

const row = async (address: string) =>
  (await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, ids[address]!)))[0]!;
const setRow = (address: string, values: Partial<typeof mailAccounts.$inferInsert>) =>
  f.db.update(mailAccounts).set(values).where(eq(mailAccounts.id, ids[address]!));
const cronPass = async () => {
  const response = await route.GET(
    new Request('http://127.0.0.1/api/cron/sync', { headers: { authorization: `Bearer ${CRON_SECRET}` } }),
  );
  expect(response.status).toBe(200);
  return (await response.json()) as { signIns?: { renewed: number; dead: number; failed: number } };
};

describe('idle sign-ins are kept alive', () => {
  it('records when a sign-in was renewed: at connect', async () => {
    for (const address of Object.keys(ids)) {
      const renewed = (await row(address)).signInRenewedAt;
      expect(renewed).toBeInstanceOf(Date);
      expect(Date.now() - renewed!.getTime()).toBeLessThan(60_000);
    }
  });

  it('renews disabled and stopped mailboxes not renewed for 14 days from the cron pass, persisting the rotated token', async () => {
    // With strict rotation the used refresh token dies: only a persisted rotation lets the next refresh work.
    await f.harness.control.setStrictRefreshTokenRotation(true);
    const old = new Date(Date.now() - 20 * DAY);
    const stopped = { status: 'error' as const, consecutiveFailures: 10, nextAttemptAt: new Date(Date.now() + DAY) };
    await setRow('alice@contoso.test', { status: 'disabled', signInRenewedAt: old });
    await setRow('bob@contoso.test', { ...stopped, signInRenewedAt: old });
    await setRow('carol@contoso.test', { status: 'disabled', signInRenewedAt: new Date(Date.now() - 2 * DAY) });
    const before = {
      alice: await row('alice@contoso.test'),
      bob: await row('bob@contoso.test'),
      carol: await row('carol@contoso.test'),
    };

    const body = await cronPass();
    expect(body.signIns).toEqual({ renewed: 2, dead: 0, failed: 0 });

    const alice = await row('alice@contoso.test');
    expect(alice.signInRenewedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(alice.tokenCacheSealed).not.toBe(before.alice.tokenCacheSealed);
    expect(alice).toMatchObject({ status: 'disabled', leaseOwner: null });
    const bob = await row('bob@contoso.test');
    expect(bob.signInRenewedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // A renewal is not a sync: the stopped mailbox's failures and schedule are untouched.
    expect(bob).toMatchObject({ ...stopped, leaseOwner: null, lastError: before.bob.lastError });
    // Renewed 2 days ago: nothing to do.
    expect((await row('carol@contoso.test')).tokenCacheSealed).toBe(before.carol.tokenCacheSealed);

    // The rotated refresh token was saved: refreshing again works although the previous one is dead now.
    const { acquireMailAccessToken } = await import('@/lib/channels/microsoft365/tokens');
    await expect(
      acquireMailAccessToken(f.db, ids['alice@contoso.test']!, { forceRefresh: true }),
    ).resolves.toBeTruthy();
    // The next pass has nothing to renew.
    expect((await cronPass()).signIns).toEqual({ renewed: 0, dead: 0, failed: 0 });
  });

  it('records a sign-in Microsoft refuses: needs_reauth for a stopped mailbox, the reason for a disabled one', async () => {
    const old = new Date(Date.now() - 20 * DAY);
    await f.harness.control.revokeUser('bob@contoso.test');
    await f.harness.control.revokeUser('carol@contoso.test');
    await setRow('bob@contoso.test', { signInRenewedAt: old });
    await setRow('carol@contoso.test', { signInRenewedAt: old });
    expect((await cronPass()).signIns).toEqual({ renewed: 0, dead: 2, failed: 0 });
    const bob = await row('bob@contoso.test');
    expect(bob.status).toBe('needs_reauth');
    expect(bob.lastError?.code).toMatch(/50173|invalid_grant/);
    const carol = await row('carol@contoso.test');
    expect(carol.status).toBe('disabled');
    expect(carol.lastError?.code).toMatch(/50173|invalid_grant/);
    expect(carol.leaseOwner).toBeNull();
  });
});
