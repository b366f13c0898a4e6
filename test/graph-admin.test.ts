import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureChecklist } from '@/app/(console)/channels/microsoft365/azure-checklist';
import {
  APPLICATION_NEEDS_GRAPH,
  APPLICATION_NEEDS_TENANT,
  appCredentialsSchema,
} from '@/lib/channels/microsoft365/app-credentials-schema';
import { microsoft365Apps } from '@/lib/db/schema';
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

  it('refuses application access over IMAP on the access field', () => {
    const result = appCredentialsSchema.safeParse({ ...form, transport: 'imap', access: 'application' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(fieldErrorsOf(result.error)).toEqual({ access: [APPLICATION_NEEDS_GRAPH] });
  });

  it('refuses application access with a multi-tenant alias on the tenant field, empty meaning common', () => {
    for (const tenant of ['', 'common', 'Organizations']) {
      const result = appCredentialsSchema.safeParse({ ...form, tenant, transport: 'graph', access: 'application' });
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

beforeAll(async () => {
  f = await startChannelFixture();
});
afterAll(async () => f?.stop());

describe('saving the app’s transport and access', () => {
  it('saves Microsoft Graph with application access and shows it in the app view', async () => {
    const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
    const input = { ...form, clientSecret: CLIENT_SECRET, secretExpiresOn: null, cloud: 'global' as const };
    const result = await saveAppCredentials(f.db, { ...input, transport: 'graph', access: 'application' }, f.admin);
    expect(result).toMatchObject({ ok: true, app: { transport: 'graph', access: 'application' } });
  });

  it('refuses application access over IMAP or with “organizations” inside the use case, and changes nothing', async () => {
    const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
    const before = await f.db.select().from(microsoft365Apps);
    const input = { ...form, clientSecret: CLIENT_SECRET, secretExpiresOn: null, cloud: 'global' as const };
    expect(
      await saveAppCredentials(f.db, { ...input, transport: 'imap', access: 'application' }, f.admin),
    ).toMatchObject({ ok: false, error: { code: 'app.refused', field: 'access', message: APPLICATION_NEEDS_GRAPH } });
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
