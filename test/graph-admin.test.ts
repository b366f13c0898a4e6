import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureChecklist } from '@/app/(console)/channels/microsoft365/azure-checklist';
import { APPLICATION_NEEDS_TENANT, appCredentialsSchema } from '@/lib/channels/microsoft365/app-credentials-schema';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { mailAccounts, microsoft365Apps } from '@/lib/db/schema';
import { fieldErrorsOf } from '@/lib/form-state';
import { CLIENT_ID, CLIENT_SECRET, TENANT, startChannelFixture, type ChannelFixture } from '@/test/support/channel';

const form = { clientId: CLIENT_ID, clientSecret: 'abc~1234', tenant: TENANT, secretExpiresOn: '', cloud: 'global' };

describe('the app form’s transport and access', () => {
  it('defaults to IMAP with delegated access', () => {
    const parsed = appCredentialsSchema.parse(form);
    expect(parsed).toMatchObject({ transport: 'imap', access: 'delegated' });
  });

  it('accepts Microsoft Graph with delegated or application access', () => {
    for (const access of ['delegated', 'application']) {
      expect(appCredentialsSchema.parse({ ...form, transport: 'graph', access })).toMatchObject({ access });
    }
  });

  it('refuses application access with a multi-tenant alias on the tenant field, empty meaning common', () => {
    for (const [tenant, transport] of [
      ['', 'graph'],
      ['common', 'imap'],
      ['Organizations', 'graph'],
      ['organizations', 'imap'],
    ]) {
      const result = appCredentialsSchema.safeParse({ ...form, tenant, transport, access: 'application' });
      expect(result.success).toBe(false);
      if (result.success) return;
      expect(fieldErrorsOf(result.error)).toEqual({ tenant: [APPLICATION_NEEDS_TENANT] });
    }
  });

  it('refuses an unknown transport or access', () => {
    const result = appCredentialsSchema.safeParse({ ...form, transport: 'ews', access: 'root' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(Object.keys(fieldErrorsOf(result.error)).sort()).toEqual(['access', 'transport']);
  });
});

describe('the Azure checklist per combination', () => {
  const render = (transport: 'imap' | 'graph', access: 'delegated' | 'application') =>
    renderToStaticMarkup(
      createElement(AzureChecklist, {
        callbackUrl: 'http://x/cb',
        fromRequest: false,
        transport,
        access,
        clientId: CLIENT_ID,
      }),
    );

  it('asks for the IMAP and SMTP permissions for IMAP', () => {
    const html = render('imap', 'delegated');
    expect(html).toContain('IMAP.AccessAsUser.All');
    expect(html).toContain('SMTP.Send');
    expect(html).not.toContain('Mail.ReadWrite');
  });

  it('asks for delegated Graph mail permissions, with the shared ones, for delegated Graph', () => {
    const html = render('graph', 'delegated');
    expect(html).toContain('Mail.ReadWrite');
    expect(html).toContain('Mail.Send.Shared');
    expect(html).not.toContain('IMAP.AccessAsUser.All');
    expect(html).not.toContain('New-ManagementScope');
  });

  it('gives IMAP with application access the Exchange Online permissions and the service principal PowerShell', () => {
    const html = render('imap', 'application');
    for (const text of ['Office 365 Exchange Online', 'IMAP.AccessAsApp', 'SMTP.SendAsApp', 'Grant admin consent'])
      expect(html).toContain(text);
    expect(html).toContain('Copy PowerShell');
    expect(html).toContain(`New-ServicePrincipal -AppId ${CLIENT_ID} -ObjectId`);
    expect(html).toContain('Add-MailboxPermission -Identity support@contoso.com -User');
    expect(html).not.toContain('IMAP.AccessAsUser.All');
    expect(html).not.toContain('New-ManagementScope');
    expect(html).not.toContain('callback-url');
  });

  it('gives application access the application permissions and the RBAC for Applications PowerShell', () => {
    const html = render('graph', 'application');
    expect(html).toContain('Application permissions');
    expect(html).toContain('Copy PowerShell');
    for (const line of ['New-ManagementScope', 'New-ServicePrincipal -AppId ' + CLIENT_ID])
      expect(html).toContain(line);
    expect(html).toContain('-Role &quot;Application Mail.ReadWrite&quot;');
    expect(html).toContain('-Role &quot;Application Mail.Send&quot;');
    expect(html).not.toContain('callback-url');
  });
});

let f: ChannelFixture;

async function saveApp(transport: 'imap' | 'graph', access: 'delegated' | 'application') {
  const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
  const input = { ...form, clientSecret: CLIENT_SECRET, secretExpiresOn: null, cloud: 'global' as const };
  const saved = await saveAppCredentials(f.db, { ...input, transport, access }, f.admin);
  if (!saved.ok) throw new Error(saved.error.message);
}

const accountsOf = async (address: string) =>
  f.db.select().from(mailAccounts).where(eq(mailAccounts.emailAddress, address));

beforeAll(async () => {
  f = await startChannelFixture({
    // No Entra application permission: RBAC for Applications opens only the scoped mailbox.
    app: {
      rbacAssignments: [
        { role: 'Application Mail.ReadWrite', mailboxes: ['scoped@contoso.test'] },
        { role: 'Application Mail.Send', mailboxes: ['scoped@contoso.test'] },
      ],
    },
    users: [
      {
        address: 'support@contoso.test',
        kind: 'shared',
        fullAccess: ['alice@contoso.test'],
        sendAs: ['alice@contoso.test'],
      },
      { address: 'scoped@contoso.test' },
      { address: 'outside@contoso.test' },
      { address: 'guest@fabrikam.test', kind: 'guest', tenant: 'contoso.test' },
    ],
  });
});
afterAll(async () => f?.stop());

describe('saving the app’s transport and access', () => {
  it('saves Microsoft Graph with application access and shows it in the app view', async () => {
    const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
    const input = { ...form, clientSecret: CLIENT_SECRET, secretExpiresOn: null, cloud: 'global' as const };
    const result = await saveAppCredentials(f.db, { ...input, transport: 'graph', access: 'application' }, f.admin);
    expect(result).toMatchObject({ ok: true, app: { transport: 'graph', access: 'application' } });
  });

  it('refuses application access with “organizations” inside the use case, and changes nothing', async () => {
    const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
    const before = await f.db.select().from(microsoft365Apps);
    const input = { ...form, clientSecret: CLIENT_SECRET, secretExpiresOn: null, cloud: 'global' as const };
    expect(
      await saveAppCredentials(
        f.db,
        { ...input, tenant: 'organizations', transport: 'graph', access: 'application' },
        f.admin,
      ),
    ).toMatchObject({ ok: false, error: { field: 'tenant', message: APPLICATION_NEEDS_TENANT } });
    expect(await f.db.select().from(microsoft365Apps)).toEqual(before);
  });
});

describe('connecting a mailbox with delegated Graph access', () => {
  it('asks for Graph’s mail permissions, proves the Inbox through Graph and stores a delegated Graph mailbox', async () => {
    await saveApp('graph', 'delegated');
    const { startConnect } = await import('@/lib/channels/microsoft365/connect');
    const started = await startConnect(f.db, f.admin, { kind: 'connect' }, 'http://127.0.0.1:3999');
    if (!started.ok) throw new Error(started.error.message);
    const scope = new URL(started.url).searchParams.get('scope') ?? '';
    expect(scope).toContain('Mail.ReadWrite');
    expect(scope).not.toContain('IMAP.AccessAsUser.All');

    const result = await f.complete(await f.signIn({ kind: 'connect' }, 'alice@contoso.test'));
    if (!result.ok || !result.outcome.ok) throw new Error(JSON.stringify(result));
    const [account] = await accountsOf('alice@contoso.test');
    expect(account).toMatchObject({ status: 'active', transport: 'graph', access: 'delegated', smtpWarning: null });

    const { acquireAccountAccess } = await import('@/lib/channels/microsoft365/tokens');
    const access = await acquireAccountAccess(f.db, result.outcome.accountId);
    expect(access).toMatchObject({ transport: 'graph', graph: { mailbox: 'alice@contoso.test', access: 'delegated' } });
  });

  it('connects a shared mailbox through Graph with the .Shared permissions of its delegate', async () => {
    const result = await f.complete(
      await f.signIn({ kind: 'shared_mailbox', mailbox: 'support@contoso.test' }, 'alice@contoso.test'),
    );
    if (!result.ok || !result.outcome.ok) throw new Error(JSON.stringify(result));
    expect(await accountsOf('support@contoso.test')).toMatchObject([
      { kind: 'shared', transport: 'graph', access: 'delegated', signInAddress: 'alice@contoso.test' },
    ]);
  });

  it('refuses a browser sign-in while the app uses application access', async () => {
    await saveApp('graph', 'application');
    const { startConnect } = await import('@/lib/channels/microsoft365/connect');
    expect(await startConnect(f.db, f.admin, { kind: 'connect' }, 'http://127.0.0.1:3999')).toMatchObject({
      ok: false,
      error: { code: 'app.application_access' },
    });
  });
});

describe('adding a mailbox with application access', () => {
  const add = async (address: string) => {
    const { addApplicationMailbox } = await import('@/lib/channels/microsoft365/add-application-mailbox');
    return addApplicationMailbox(f.db, f.admin, address);
  };

  it('stores a mailbox in the app’s RBAC scope as connected, after reading its Inbox with the app token', async () => {
    await saveApp('graph', 'application');
    const result = await add('scoped@contoso.test');
    expect(result.ok).toBe(true);
    expect(await accountsOf('scoped@contoso.test')).toMatchObject([
      {
        status: 'active',
        transport: 'graph',
        access: 'application',
        homeAccountId: `app:${CLIENT_ID}`,
        imapUser: 'scoped@contoso.test',
        tokenCacheSealed: null,
      },
    ]);
    const { acquireAccountAccess } = await import('@/lib/channels/microsoft365/tokens');
    const access = await acquireAccountAccess(f.db, result.ok ? result.accountId : '');
    expect(access).toMatchObject({ transport: 'graph', graph: { access: 'application' } });
  });

  it('explains a 403 as missing consent or a mailbox outside the RBAC scope, names the fix, and stores nothing', async () => {
    const result = await add('outside@contoso.test');
    expect(result).toMatchObject({ ok: false, error: { code: 'mailbox.refused' } });
    if (result.ok || result.error.code !== 'mailbox.refused') return;
    const { explained } = result.error;
    expect(explained).toMatchObject({ code: 'graph.access_denied', whoActs: 'azure_admin' });
    expect(explained.explanation).toMatch(/admin.*granted|granted.*permission/i);
    expect(explained.explanation).toMatch(/management scope/);
    expect(explained.action).toContain('outside@contoso.test');
    expect(explained.action).toContain('Test-ServicePrincipalAuthorization');
    expect(explained.raw).toContain('ErrorAccessDenied');
    expect(await accountsOf('outside@contoso.test')).toEqual([]);
  });

  it('explains an unknown address and a user without an Exchange Online mailbox, and stores nothing', async () => {
    for (const address of ['nobody@contoso.test', 'guest@fabrikam.test']) {
      const result = await add(address);
      if (result.ok || result.error.code !== 'mailbox.refused') throw new Error(JSON.stringify(result));
      expect(result.error.explained).toMatchObject({ code: 'graph.mailbox_unavailable' });
      expect(result.error.explained.title).toContain(address);
      expect(await accountsOf(address)).toEqual([]);
    }
  });

  it('refuses an address while the app uses delegated access', async () => {
    await saveApp('graph', 'delegated');
    expect(await add('scoped@contoso.test')).toMatchObject({ ok: false, error: { code: 'app.application_access' } });
    await saveApp('graph', 'application');
  });
});

/** Every file delivered to a mailbox's Inbox whose bytes contain `marker`. */
async function delivered(address: string, marker: string): Promise<Buffer[]> {
  const path = f.harness.maildirs.folderPath(address, 'INBOX');
  const found: Buffer[] = [];
  for (const sub of ['new', 'cur']) {
    for (const name of await readdir(join(path, sub)).catch(() => [] as string[])) {
      const raw = await readFile(join(path, sub, name));
      if (raw.includes(marker)) found.push(raw);
    }
  }
  return found;
}

describe('Send test message through Graph', () => {
  const send = async (from: string, to: string, marker: string) => {
    const [account] = await accountsOf(from);
    if (!account) throw new Error(`no account ${from}`);
    const { sendFromMailbox } = await import('@/lib/channels/microsoft365/send-test');
    return sendFromMailbox(f.db, f.admin, account.id, { to, subject: `Test ${marker}`, body: `Hello ${marker}` });
  };

  it('sends from an application-access mailbox with the app token, delivered to the recipient’s Inbox', async () => {
    const marker = `app-send-${Date.now()}`;
    const result = await send('scoped@contoso.test', 'bob@contoso.test', marker);
    expect(result).toMatchObject({ ok: true, messageId: expect.stringMatching(/^<.+@contoso\.test>$/) });
    const [raw] = await delivered('bob@contoso.test', marker);
    expect(raw?.toString('latin1')).toMatch(/^From: scoped@contoso\.test$/m);
    if (result.ok) expect(raw?.toString('latin1')).toContain(`Message-ID: ${result.messageId}`);
  });

  it('sends from a delegated Graph mailbox with its own token', async () => {
    const marker = `delegated-send-${Date.now()}`;
    expect(await send('alice@contoso.test', 'bob@contoso.test', marker)).toMatchObject({ ok: true });
    expect(await delivered('bob@contoso.test', marker)).toHaveLength(1);
  });

  it('explains a send the app’s RBAC scope does not cover, and delivers nothing', async () => {
    // Added through the use case would be refused; a scope that shrank after the mailbox was added is the case.
    const { applicationHomeAccountId } = await import('@/lib/channels/microsoft365/add-application-mailbox');
    const [app] = await f.db.select().from(microsoft365Apps).where(eq(microsoft365Apps.active, true));
    await f.db.insert(mailAccounts).values({
      appId: app?.id,
      emailAddress: 'outside@contoso.test',
      signInAddress: 'outside@contoso.test',
      imapUser: 'outside@contoso.test',
      homeAccountId: applicationHomeAccountId(CLIENT_ID),
      tenantId: TENANT,
      transport: 'graph',
      access: 'application',
    });
    const marker = `refused-send-${Date.now()}`;
    const result = await send('outside@contoso.test', 'bob@contoso.test', marker);
    expect(result).toMatchObject({ ok: false, error: { code: 'graph.access_denied', whoActs: 'azure_admin' } });
    if (!result.ok) expect(result.error.action).toContain('Application Mail.Send');
    expect(await delivered('bob@contoso.test', marker)).toEqual([]);
  });
});

describe('keeping a delegated Graph sign-in alive', () => {
  it('renews it with its Graph permissions, never asking Outlook’s IMAP scopes', async () => {
    const [alice] = await accountsOf('alice@contoso.test');
    if (!alice) throw new Error('alice is not connected');
    const old = new Date(Date.now() - 30 * 24 * 60 * 60_000);
    await f.db.update(mailAccounts).set({ signInRenewedAt: old }).where(eq(mailAccounts.id, alice.id));
    const { keepSignInsAlive } = await import('@/lib/channels/microsoft365/keep-sign-ins-alive');
    const report = await keepSignInsAlive(f.db);
    expect(report).toMatchObject({ dead: 0, failed: 0 });
    expect(report.renewed).toBeGreaterThanOrEqual(1);

    const [renewed] = await accountsOf('alice@contoso.test');
    expect(renewed).toMatchObject({ status: 'active' });
    expect(renewed?.signInRenewedAt?.getTime()).toBeGreaterThan(old.getTime());
    const { secrets } = await import('@/lib/crypto/secrets');
    const { TOKEN_CACHE_CONTEXT } = await import('@/lib/microsoft/token-cache');
    const cache = JSON.parse(secrets().open(renewed?.tokenCacheSealed ?? '', TOKEN_CACHE_CONTEXT)) as {
      AccessToken: Record<string, { target: string }>;
    };
    const targets = Object.values(cache.AccessToken).map((token) => token.target.toLowerCase());
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.join(' ')).not.toContain('imap.accessasuser.all');
    expect(targets.join(' ')).toContain('mail.readwrite');
  });
});

describe('Verify mail flow through Graph', () => {
  it('sends to an application mailbox itself through Graph and receives it by the Graph sync', async () => {
    const [scoped] = await accountsOf('scoped@contoso.test');
    if (!scoped) throw new Error('scoped is not connected');
    const { verifyMailFlow } = await import('@/lib/channels/microsoft365/verify-mail-flow');
    const result = await verifyMailFlow(f.db, f.admin, scoped.id, 30_000);
    expect(result).toMatchObject({ ok: true, send: { ok: true }, receive: { ok: true } });
  });
});
