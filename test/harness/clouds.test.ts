import { describe, expect, it } from 'vitest';
import {
  adminConsentUrl,
  authorityMetadata,
  authorityUrl,
  cloudEndpoints,
  expectedIssuer,
  graphAppScope,
  mailScopes,
} from '@/lib/microsoft/clouds';
import { harnessEnv } from './fixture';

describe('cloud endpoints', () => {
  it('knows the real hosts of each national cloud', () => {
    expect(cloudEndpoints('global')).toMatchObject({
      loginBaseUrl: 'https://login.microsoftonline.com',
      imap: { host: 'outlook.office365.com', port: 993, tls: true },
      smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
      scopeResource: 'https://outlook.office.com',
    });
    expect(cloudEndpoints('gcc_high')).toMatchObject({
      authorityHost: 'login.microsoftonline.us',
      imap: { host: 'outlook.office365.us' },
      smtp: { host: 'outlook.office365.us', port: 587 },
      scopeResource: 'https://outlook.office365.us',
    });
    expect(cloudEndpoints('dod')).toMatchObject({
      authorityHost: 'login.microsoftonline.us',
      imap: { host: 'outlook-dod.office365.us' },
      smtp: { host: 'outlook-dod.office365.us' },
      scopeResource: 'https://outlook-dod.office365.us',
    });
    expect(cloudEndpoints('china')).toMatchObject({
      authorityHost: 'login.partner.microsoftonline.cn',
      imap: { host: 'partner.outlook.cn' },
      smtp: { host: 'smtp.partner.outlook.cn', port: 587, security: 'starttls' },
      scopeResource: 'https://partner.outlook.cn',
    });
  });

  it('knows Graph’s service root in each cloud and sends requests to an override without changing the scope', () => {
    expect(['global', 'gcc_high', 'dod', 'china'].map((c) => cloudEndpoints(c as 'global').graphBaseUrl)).toEqual([
      'https://graph.microsoft.com',
      'https://graph.microsoft.us',
      'https://dod-graph.microsoft.us',
      'https://microsoftgraph.chinacloudapi.cn',
    ]);
    expect(graphAppScope(cloudEndpoints('gcc_high'))).toBe('https://graph.microsoft.us/.default');
    const local = cloudEndpoints('global', { graphUrl: 'http://127.0.0.1:4011/' });
    expect(local.graphBaseUrl).toBe('http://127.0.0.1:4011');
    expect(graphAppScope(local)).toBe('https://graph.microsoft.com/.default');
    expect(() => cloudEndpoints('global', { graphUrl: 'http://127.0.0.1:4011/v1.0' })).toThrow(/origin without a path/);
  });

  it('keeps the real authority host for msal while endpoints point at an override', () => {
    const endpoints = cloudEndpoints('global', { loginUrl: 'http://127.0.0.1:4010/' });
    expect(authorityUrl(endpoints, 'organizations')).toBe('https://login.microsoftonline.com/organizations');
    expect(JSON.parse(authorityMetadata(endpoints, 'organizations'))).toMatchObject({
      token_endpoint: 'http://127.0.0.1:4010/organizations/oauth2/v2.0/token',
    });
    expect(expectedIssuer(endpoints, 'tid-1')).toBe('http://127.0.0.1:4010/tid-1/v2.0');
    expect(mailScopes(endpoints)).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    expect(
      adminConsentUrl(endpoints, {
        tenant: 'common',
        clientId: 'c',
        redirectUri: 'http://localhost:3000/cb',
        state: 's',
      }),
    ).toContain('http://127.0.0.1:4010/common/v2.0/adminconsent?client_id=c');
  });

  it('renders the harness settings under the product env names', () => {
    const env = harnessEnv({
      loginUrl: 'http://127.0.0.1:1',
      imapHost: '127.0.0.1',
      imapPort: 2,
      imapTls: false,
      smtpHost: '127.0.0.1',
      smtpPort: 3,
      smtpSecurity: 'none',
      graphUrl: 'http://127.0.0.1:4',
    });
    expect(env).toMatchObject({
      MICROSOFT_GRAPH_URL: 'http://127.0.0.1:4',
      MICROSOFT_LOGIN_URL: 'http://127.0.0.1:1',
      MICROSOFT_IMAP_TLS: 'false',
      MICROSOFT_SMTP_SECURITY: 'none',
      IMAP_PORT: '2',
      SMTP_PORT: '3',
    });
  });
});
