/**
 * The fourth combination: IMAP and SMTP with application access (Exchange Online's client-credentials support for
 * those protocols), end to end against the stand-in: the form, Add mailbox's proof, the sync, sending, the mail-flow
 * check, token renewal, and the sign-in keep-alive that has nothing to renew.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxModeLabel } from '@/app/(console)/channels/microsoft365/mailbox-mode';
import { APPLICATION_NEEDS_TENANT, appCredentialsSchema } from '@/lib/channels/microsoft365/app-credentials-schema';
import { mailAccounts } from '@/lib/db/schema';
import { fieldErrorsOf } from '@/lib/form-state';
import { CLIENT_ID, CLIENT_SECRET, TENANT, startChannelFixture, type ChannelFixture } from '@/test/support/channel';
import { eachOnce, uidCounts } from '@/test/support/stored-uids';

const ALICE = 'alice@contoso.test';
const OUTSIDE = 'outside@contoso.test';
const form = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tenant: TENANT, secretExpiresOn: '', cloud: 'global' };

let f: ChannelFixture;

beforeAll(async () => {
  f = await startChannelFixture({
    // What the checklist asks an administrator for: the Exchange Online application permissions with consent,
    // New-ServicePrincipal once and Add-MailboxPermission for Alice only.
    app: {
      exchangePermissions: ['IMAP.AccessAsApp', 'SMTP.SendAsApp'],
      exchangeServicePrincipal: true,
      mailboxPermissions: [ALICE],
    },
    users: [{ address: OUTSIDE }],
  });
  await f.harness.seed.messages(ALICE, { count: 5, seed: 7 });
  const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
  const input = { ...form, secretExpiresOn: null, cloud: 'global' as const };
  const saved = await saveAppCredentials(f.db, { ...input, transport: 'imap', access: 'application' }, f.admin);
  if (!saved.ok) throw new Error(saved.error.message);
});
afterAll(async () => f?.stop());

const accountsOf = (address: string) => f.db.select().from(mailAccounts).where(eq(mailAccounts.emailAddress, address));
const add = async (address: string) => {
  const { addApplicationMailbox } = await import('@/lib/channels/microsoft365/add-application-mailbox');
  return addApplicationMailbox(f.db, f.admin, address);
};
const sync = async (accountId: string) => {
  const { runSync } = await import('@/lib/sync/run');
  const { productSyncDeps } = await import('@/lib/channels/microsoft365/sync-deps');
  return runSync(productSyncDeps(f.db), { trigger: 'manual', accountIds: [accountId] });
};
async function aliceId(): Promise<string> {
  const [account] = await accountsOf(ALICE);
  if (!account) throw new Error('Alice was not added');
  return account.id;
}

describe('the app form', () => {
  it('accepts IMAP and SMTP with application access in a named directory', () => {
    expect(appCredentialsSchema.parse({ ...form, transport: 'imap', access: 'application' })).toMatchObject({
      transport: 'imap',
      access: 'application',
      tenant: TENANT,
    });
  });

  it('still refuses “common” and “organizations” for it, on the tenant field', () => {
    for (const tenant of ['', 'common', 'organizations']) {
      const result = appCredentialsSchema.safeParse({ ...form, tenant, transport: 'imap', access: 'application' });
      expect(result.success).toBe(false);
      if (!result.success) expect(fieldErrorsOf(result.error)).toEqual({ tenant: [APPLICATION_NEEDS_TENANT] });
    }
  });

  it('names the mode as the account page shows it', () => {
    expect(mailboxModeLabel({ transport: 'imap', access: 'application' })).toBe('IMAP and SMTP · application');
  });
});

describe('Add mailbox over IMAP with the app’s token', () => {
  it('stores a mailbox the app holds a mailbox permission on, after an IMAP login and EXAMINE INBOX', async () => {
    const result = await add(ALICE);
    expect(result.ok).toBe(true);
    expect(await accountsOf(ALICE)).toMatchObject([
      {
        status: 'active',
        transport: 'imap',
        access: 'application',
        imapUser: ALICE,
        signInAddress: ALICE,
        homeAccountId: `app:${CLIENT_ID}`,
        tokenCacheSealed: null,
      },
    ]);
  });

  it('stores nothing for a mailbox without the permission and names the Add-MailboxPermission line', async () => {
    const result = await add(OUTSIDE);
    if (result.ok || result.error.code !== 'mailbox.refused') throw new Error(JSON.stringify(result));
    expect(result.error.explained).toMatchObject({ code: 'imap.authenticate_failed', whoActs: 'azure_admin' });
    expect(result.error.explained.title).toContain(OUTSIDE);
    expect(result.error.explained.action).toContain(`Add-MailboxPermission -Identity ${OUTSIDE} -User`);
    expect(result.error.explained.action).toContain('IMAP.AccessAsApp');
    expect(await accountsOf(OUTSIDE)).toEqual([]);
  });

  it('connects the same mailbox once Exchange grants the permission', async () => {
    await f.harness.control.grantMailboxPermission(CLIENT_ID, OUTSIDE);
    try {
      expect((await add(OUTSIDE)).ok).toBe(true);
    } finally {
      await f.harness.control.revokeMailboxPermission(CLIENT_ID, OUTSIDE);
      await f.db.delete(mailAccounts).where(eq(mailAccounts.emailAddress, OUTSIDE));
    }
  });
});

describe('syncing and sending with the app’s token', () => {
  it('syncs the mailbox over IMAP, storing each message exactly once across runs', async () => {
    const id = await aliceId();
    expect((await sync(id)).accounts).toMatchObject([{ outcome: 'success' }]);
    await sync(id);
    const counts = await uidCounts(f.db, id);
    expect(counts).toHaveLength(5);
    expect(eachOnce(counts)).toBe(true);
  });

  it('renews the app token when Exchange stops taking the cached one mid-run', async () => {
    const id = await aliceId();
    await f.harness.seed.messages(ALICE, { count: 1, seed: 8 });
    await f.harness.control.expireAccessTokens();
    expect((await sync(id)).accounts).toMatchObject([{ outcome: 'success' }]);
    expect(await uidCounts(f.db, id)).toHaveLength(6);
  });

  it('sends a test message over SMTP, authenticated as the mailbox with the app token', async () => {
    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    const before = f.harness.smtp.sent.length;
    const result = await sendFromMailbox(f.db, f.admin, await aliceId(), {
      to: 'bob@contoso.test',
      subject: 'From the app over SMTP',
      body: 'Hello',
    });
    expect(result.ok).toBe(true);
    expect(f.harness.smtp.sent.slice(before)).toMatchObject([
      { authUser: ALICE, envelopeFrom: ALICE, recipients: ['bob@contoso.test'] },
    ]);
  });

  it('explains a refused SMTP sign-in with the mailbox permission fix', async () => {
    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    await f.harness.control.revokeMailboxPermission(CLIENT_ID, ALICE);
    try {
      const result = await sendFromMailbox(f.db, f.admin, await aliceId(), { to: ALICE, subject: 'x', body: '' });
      if (result.ok) throw new Error('expected a refusal');
      expect(result.error.code).toBe('smtp.535_5_7_3');
      expect(result.error.action).toContain(`Add-MailboxPermission -Identity ${ALICE} -User`);
      expect(result.error.explanation).toContain('SMTP.SendAsApp');
    } finally {
      await f.harness.control.grantMailboxPermission(CLIENT_ID, ALICE);
    }
  });

  it('verifies mail flow: sent over SMTP, received by the IMAP sync', async () => {
    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    const result = await verifyMailFlow(f.db, f.admin, await aliceId(), 20_000);
    expect(result).toMatchObject({ ok: true, send: { ok: true }, receive: { ok: true } });
  });

  it('leaves the mailbox out of the sign-in keep-alive: there is no sign-in to renew', async () => {
    const { keepSignInsAlive } = await import('@/lib/channels/microsoft365/keep-sign-ins-alive');
    const report = await keepSignInsAlive(f.db, { now: new Date(Date.now() + 400 * 24 * 3_600_000) });
    expect(report).toEqual({ renewed: 0, dead: 0, failed: 0 });
    expect(await accountsOf(ALICE)).toMatchObject([{ status: 'active' }]);
  });
});
