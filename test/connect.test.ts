import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, mailAccounts, oauthFlows } from '@/lib/db/schema';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';

let f: ChannelFixture;

beforeAll(async () => {
  f = await startChannelFixture({
    users: [
      { address: 'support@contoso.test', kind: 'shared', fullAccess: ['alice@contoso.test'] },
      { address: 'nosmtp@contoso.test', smtpAuthDisabled: true },
    ],
  });
});
afterAll(async () => f?.stop());

const accountsOf = async (address: string) =>
  f.db.select().from(mailAccounts).where(eq(mailAccounts.emailAddress, address));

describe('connecting a mailbox through the callback', () => {
  it('connects a mailbox after proving IMAP access, with its token cache sealed', async () => {
    const params = await f.signIn({ kind: 'connect' }, 'alice@contoso.test');
    const result = await f.complete(params);
    expect(result.ok).toBe(true);
    if (!result.ok || !result.outcome.ok) throw new Error(JSON.stringify(result));
    const [account] = await accountsOf('alice@contoso.test');
    expect(account).toMatchObject({
      status: 'active',
      kind: 'user',
      imapUser: 'alice@contoso.test',
      displayName: 'Alice Example',
      smtpWarning: null,
    });
    expect(account?.tokenCacheSealed).toMatch(/^v1:/);
    expect(account?.tokenCacheSealed).not.toContain('refresh');

    const { acquireMailAccess } = await import('@/lib/channels/microsoft365/tokens');
    const access = await acquireMailAccess(f.db, result.outcome.accountId);
    expect(access.accessToken.length).toBeGreaterThan(10);
  });

  it('updates the same account when the same mailbox connects again, never duplicating it', async () => {
    const result = await f.complete(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
    expect(result.ok && result.outcome.ok).toBe(true);
    expect(await accountsOf('alice@contoso.test')).toHaveLength(1);
    const actions = (await f.db.select().from(auditEvents)).map((e) => e.action);
    expect(actions).toContain('account.connected');
    expect(actions).toContain('account.reconnected');
  });

  it('refuses a state that was already used, and changes nothing', async () => {
    const params = await f.signIn({ kind: 'connect' }, 'bob@contoso.test');
    expect((await f.complete(params)).ok).toBe(true);
    const before = await f.db.select().from(mailAccounts);
    expect(await f.complete(params)).toMatchObject({ ok: false, error: { code: 'flow.rejected', reason: 'used' } });
    expect(await f.db.select().from(mailAccounts)).toEqual(before);
  });

  it('refuses an unknown state, an expired flow and another admin’s flow', async () => {
    expect(await f.complete({ state: 'x'.repeat(43), code: 'abc' })).toMatchObject({
      ok: false,
      error: { code: 'flow.rejected', reason: 'unknown' },
    });

    const expired = await f.signIn({ kind: 'connect' }, 'bob@contoso.test');
    await f.db
      .update(oauthFlows)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthFlows.state, expired.state));
    expect(await f.complete(expired)).toMatchObject({ ok: false, error: { code: 'flow.rejected', reason: 'expired' } });

    const foreign = await f.signIn({ kind: 'connect' }, 'bob@contoso.test');
    const [intruder] = await f.db
      .insert((await import('@/lib/db/schema')).admins)
      .values({ email: 'intruder@example.com', passwordHash: 'x' })
      .returning();
    if (!intruder) throw new Error('no intruder');
    expect(await f.complete(foreign, intruder)).toMatchObject({
      ok: false,
      error: { code: 'flow.rejected', reason: 'foreign' },
    });
    // The rightful admin can still finish it: the foreign attempt did not consume the flow.
    expect((await f.complete(foreign)).ok).toBe(true);
  });

  it('explains a cancelled sign-in from Microsoft’s error answer', async () => {
    const params = await f.signIn({ kind: 'connect' }, undefined, { cancel: true });
    expect(params.error).toBe('access_denied');
    const result = await f.complete(params);
    if (!result.ok || result.outcome.ok) throw new Error('expected a failure');
    expect(result.outcome.error.code).toMatch(/access_denied|AADSTS65004/);
    expect(result.outcome.error.title.length).toBeGreaterThan(10);
    const [flow] = await f.db.select().from(oauthFlows).where(eq(oauthFlows.state, params.state));
    expect(flow?.outcome).toEqual(result.outcome);
  });

  it('refuses an id token whose nonce does not belong to the flow', async () => {
    const params = await f.signIn({ kind: 'connect' }, 'bob@contoso.test');
    await f.db.update(oauthFlows).set({ nonce: 'another-nonce' }).where(eq(oauthFlows.state, params.state));
    const before = await f.db.select().from(mailAccounts);
    const result = await f.complete(params);
    if (!result.ok || result.outcome.ok) throw new Error('expected a failure');
    expect(result.outcome.error.code).toMatch(/nonce|id_token/);
    expect(await f.db.select().from(mailAccounts)).toEqual(before);
  });

  it('refuses to re-authenticate a mailbox as a different user', async () => {
    const [alice] = await accountsOf('alice@contoso.test');
    if (!alice) throw new Error('alice missing');
    const result = await f.complete(
      await f.signIn({ kind: 'reauthenticate', accountId: alice.id }, 'bob@contoso.test'),
    );
    if (!result.ok || result.outcome.ok) throw new Error('expected a failure');
    expect(result.outcome.error.code).toBe('account.mismatch');
    expect(result.outcome.error.title).toContain('bob@contoso.test');
    expect(result.outcome.error.title).toContain('alice@contoso.test');
  });

  it('re-authenticates the same mailbox in place and clears its error', async () => {
    const [alice] = await accountsOf('alice@contoso.test');
    if (!alice) throw new Error('alice missing');
    await f.db
      .update(mailAccounts)
      .set({
        status: 'needs_reauth',
        lastError: { code: 'AADSTS700082', message: 'expired', at: new Date().toISOString() },
      })
      .where(eq(mailAccounts.id, alice.id));
    const result = await f.complete(
      await f.signIn({ kind: 'reauthenticate', accountId: alice.id }, 'alice@contoso.test'),
    );
    expect(result.ok && result.outcome.ok && result.outcome.accountId).toBe(alice.id);
    const [after] = await accountsOf('alice@contoso.test');
    expect(after).toMatchObject({ status: 'active', lastError: null });
  });

  it('connects a shared mailbox with a delegate’s sign-in and refuses a user without access', async () => {
    const ok = await f.complete(
      await f.signIn({ kind: 'shared_mailbox', mailbox: 'support@contoso.test' }, 'alice@contoso.test'),
    );
    expect(ok.ok && ok.outcome.ok).toBe(true);
    const [shared] = await accountsOf('support@contoso.test');
    expect(shared).toMatchObject({
      kind: 'shared',
      imapUser: 'support@contoso.test',
      signInAddress: 'alice@contoso.test',
    });

    const refused = await f.complete(
      await f.signIn({ kind: 'shared_mailbox', mailbox: 'support@contoso.test' }, 'bob@contoso.test'),
    );
    if (!refused.ok || refused.outcome.ok) throw new Error('expected a refusal');
    expect(refused.outcome.error.code).toMatch(/^imap\./);
    expect(await accountsOf('support@contoso.test')).toHaveLength(1);
  });

  it('connects a mailbox whose SMTP AUTH is disabled for receiving, with the PowerShell fix as a warning', async () => {
    const result = await f.complete(await f.signIn({ kind: 'connect' }, 'nosmtp@contoso.test'));
    expect(result.ok && result.outcome.ok).toBe(true);
    const [account] = await accountsOf('nosmtp@contoso.test');
    expect(account?.status).toBe('active');
    expect(account?.smtpWarning?.code).toContain('5_7_139');
    expect(account?.smtpWarning?.hint).toContain('Set-CASMailbox');
  });

  it('offers admin consent when the tenant requires it and the user could not consent', async () => {
    await f.harness.control.requireAdminConsent((await import('@/test/support/channel')).CLIENT_ID);
    const params = await f.signIn({ kind: 'connect' }, 'bob@contoso.test');
    const result = await f.complete(params);
    if (!result.ok || result.outcome.ok) throw new Error('expected a failure');
    expect(result.outcome.error.code).toBe('access_denied');
    expect(result.outcome.error.needsAdminConsent).toBe(true);
  });
});
