import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from './emulator/model';
import { grantScopes } from './emulator/scopes';
import { startHarness, type Harness } from './fixture';
import { appToken, graphCall } from './graph-client';
import { SignInDriver } from './sign-in-driver';

const DAEMON = { clientId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', clientSecret: 'daemon~secret' };
const BARE = { clientId: '6b2c3d4e-5f60-4b7c-9d8e-0f1a2b3c4d5e', clientSecret: 'bare~secret' };
const MULTI = { clientId: '7c3d4e5f-6071-4c8d-8e9f-1a2b3c4d5e6f', clientSecret: 'multi~secret' };
const GRAPH = 'https://graph.microsoft.com';

let harness: Harness;
let fabrikam: string;

beforeAll(async () => {
  harness = await startHarness({
    tenants: [{ domain: 'fabrikam.test' }],
    users: [
      { address: 'alice@contoso.test' },
      { address: 'bob@contoso.test' },
      { address: 'max@fabrikam.test', tenant: 'fabrikam.test' },
      { address: 'gus@partner.test', kind: 'guest', tenant: DEFAULT_TENANT.id },
      { address: 'support@contoso.test', kind: 'shared', fullAccess: ['alice@contoso.test'] },
    ],
    apps: [
      {
        ...DAEMON,
        redirectUris: ['http://127.0.0.1:3999/cb'],
        tenant: DEFAULT_TENANT.id,
        applicationPermissions: ['Mail.ReadWrite'],
      },
      { ...BARE, redirectUris: ['http://127.0.0.1:3999/cb'], tenant: DEFAULT_TENANT.id },
      {
        ...MULTI,
        redirectUris: ['http://127.0.0.1:3999/cb'],
        tenant: DEFAULT_TENANT.id,
        consent: 'admin',
        applicationPermissions: ['Mail.ReadWrite'],
      },
    ],
  });
  fabrikam = harness.emulator.state.directory.findTenant('fabrikam.test')?.id ?? '';
});
afterAll(() => harness.stop());

async function delegated(address: string, scopes: string[]): Promise<string> {
  return (await harness.control.issueTokens({ address, scopes: scopes.map((s) => `${GRAPH}/${s}`) })).access_token;
}

describe('Graph tokens from the client-credentials grant', () => {
  it('issues an app token for graph/.default whose granted roles open any mailbox of the tenant', async () => {
    const answer = await appToken(harness, DAEMON, DEFAULT_TENANT.id);
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty('refresh_token');
    const token = answer.body.access_token as string;
    const folders = await graphCall(harness, token, '/users/bob@contoso.test/mailFolders');
    expect(folders.status).toBe(200);
    expect((folders.body.value as Array<{ displayName: string }>).map((f) => f.displayName)).toContain('Inbox');
  });

  it('issues a token without roles to an app no administrator granted a permission, which Graph refuses with 403', async () => {
    const answer = await appToken(harness, BARE, DEFAULT_TENANT.id);
    expect(answer.status).toBe(200);
    const folders = await graphCall(harness, answer.body.access_token as string, '/users/bob@contoso.test/mailFolders');
    expect(folders.status).toBe(403);
    expect(folders.body.error?.code).toBe('ErrorAccessDenied');
  });

  it('answers AADSTS700016 in a tenant that never consented, and roles once its administrator has', async () => {
    const before = await appToken(harness, MULTI, fabrikam);
    expect(before.status).toBe(400);
    expect(before.body.error_codes).toEqual([700016]);
    await harness.control.grantAdminConsent(MULTI.clientId, fabrikam);
    const after = await appToken(harness, MULTI, fabrikam);
    expect(after.status).toBe(200);
    const token = after.body.access_token as string;
    expect((await graphCall(harness, token, '/users/max@fabrikam.test/mailFolders')).status).toBe(200);
    // An app token names its tenant: a mailbox of another one is an unknown user.
    const foreign = await graphCall(harness, token, '/users/alice@contoso.test/mailFolders');
    expect(foreign.status).toBe(404);
    expect(foreign.body.error?.code).toBe('ErrorInvalidUser');
  });
});

describe('Graph token validation', () => {
  it('answers 401 InvalidAuthenticationToken for a missing, unknown, expired or Outlook-audience token', async () => {
    const missing = await graphCall(harness, undefined, '/users/alice@contoso.test/mailFolders');
    expect(missing.status).toBe(401);
    expect(missing.body.error?.code).toBe('InvalidAuthenticationToken');
    expect(missing.body.error).toMatchObject({ message: 'Access token is empty.' });
    expect((await graphCall(harness, 'not-a-token', '/users/alice@contoso.test/mailFolders')).status).toBe(401);

    const outlook = (await harness.control.issueTokens({ address: 'alice@contoso.test' })).access_token;
    const foreign = await graphCall(harness, outlook, '/users/alice@contoso.test/mailFolders');
    expect(foreign.status).toBe(401);
    expect(foreign.body.error?.message).toContain('Invalid audience');

    const token = await delegated('alice@contoso.test', ['Mail.ReadWrite']);
    await harness.control.expireAccessTokens('alice@contoso.test');
    const expired = await graphCall(harness, token, '/users/alice@contoso.test/mailFolders');
    expect(expired.status).toBe(401);
    expect(expired.body.error?.code).toBe('InvalidAuthenticationToken');
  });

  it('answers 404 ErrorInvalidUser for an unknown user and MailboxNotEnabledForRESTAPI for one without a mailbox', async () => {
    const token = (await appToken(harness, DAEMON, DEFAULT_TENANT.id)).body.access_token as string;
    const unknown = await graphCall(harness, token, '/users/nobody@contoso.test/mailFolders');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'ErrorInvalidUser',
      message: "The requested user 'nobody@contoso.test' is invalid.",
    });
    const guest = await graphCall(harness, token, '/users/gus@partner.test/mailFolders');
    expect(guest.status).toBe(404);
    expect(guest.body.error?.code).toBe('MailboxNotEnabledForRESTAPI');
  });
});

describe('delegated Graph tokens', () => {
  it('are granted for Graph mail scopes through the authorization-code flow’s scope rules', () => {
    const granted = grantScopes(`${GRAPH}/Mail.ReadWrite ${GRAPH}/Mail.Send offline_access openid`, [
      'https://outlook.office.com',
    ]);
    expect(granted.resourceScopes).toEqual([`${GRAPH}/Mail.ReadWrite`, `${GRAPH}/Mail.Send`]);
    expect(grantScopes('Mail.ReadWrite.Shared', ['https://outlook.office.com']).resourceScopes).toEqual([
      `${GRAPH}/Mail.ReadWrite.Shared`,
    ]);
  });

  it('come from a browser sign-in and code redemption with Graph scopes, carrying them as granted', async () => {
    const redirect = 'http://127.0.0.1:3999/cb';
    const scope = `openid offline_access ${GRAPH}/Mail.ReadWrite ${GRAPH}/Mail.Send`;
    const authorize = new URL(`${harness.emulator.url}/${DEFAULT_TENANT.id}/oauth2/v2.0/authorize`);
    for (const [key, value] of Object.entries({
      client_id: DAEMON.clientId,
      redirect_uri: redirect,
      response_type: 'code',
      scope,
      state: 's',
      prompt: 'select_account',
    }))
      authorize.searchParams.set(key, value);
    const { redirect: back } = await new SignInDriver().signIn(authorize.toString(), 'alice@contoso.test');
    const code = back.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    const response = await fetch(`${harness.emulator.url}/${DEFAULT_TENANT.id}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: DAEMON.clientId,
        client_secret: DAEMON.clientSecret,
        code,
        redirect_uri: redirect,
        scope,
      }),
    });
    const body = (await response.json()) as { scope: string; access_token: string; refresh_token?: string };
    expect(response.status).toBe(200);
    expect(body.scope).toBe(`${GRAPH}/Mail.ReadWrite ${GRAPH}/Mail.Send`);
    expect(body.refresh_token).toBeTruthy();
    expect((await graphCall(harness, body.access_token, '/users/alice@contoso.test/mailFolders')).status).toBe(200);
    // The same token over IMAP is for another resource: Graph scopes open no IMAP session.
    expect(harness.emulator.state.grants.findAccessToken(body.access_token)?.scopes).not.toContain(
      'https://outlook.office.com/IMAP.AccessAsUser.All',
    );
  });

  it('open the user’s own mailbox, a shared one only with a .Shared scope and Full Access, nobody else’s', async () => {
    const own = await delegated('alice@contoso.test', ['Mail.ReadWrite']);
    expect((await graphCall(harness, own, '/users/alice@contoso.test/mailFolders')).status).toBe(200);
    expect((await graphCall(harness, own, '/users/support@contoso.test/mailFolders')).status).toBe(403);
    const shared = await delegated('alice@contoso.test', ['Mail.ReadWrite.Shared']);
    expect((await graphCall(harness, shared, '/users/support@contoso.test/mailFolders')).status).toBe(200);
    const other = await graphCall(harness, shared, '/users/bob@contoso.test/mailFolders');
    expect(other.status).toBe(403);
    expect(other.body.error?.code).toBe('ErrorAccessDenied');
  });
});
