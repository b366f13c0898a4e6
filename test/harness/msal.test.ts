import { CryptoProvider } from '@azure/msal-node';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cloudEndpoints, mailScopes } from '@/lib/microsoft/clouds';
import { createMsalClient } from '@/lib/microsoft/msal-client';
import { DEFAULT_TENANT } from './emulator/model';
import { startHarness, type Harness } from './fixture';
import { SignInDriver } from './sign-in-driver';

const CLIENT_ID = '0b8f5a43-2c1d-4e6f-9a7b-3c2d1e0f9a8b';
const SECRET = 'msal-secret~2';
const REDIRECT = 'http://localhost:3000/api/v1/external_credentials/microsoft365/callback';
const TENANT = DEFAULT_TENANT.id;

let harness: Harness;
const fetched: string[] = [];

beforeAll(async () => {
  harness = await startHarness({
    users: [{ address: 'alice@contoso.test', displayName: 'Alice' }],
    apps: [{ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [REDIRECT], audience: 'single', tenant: TENANT }],
  });
  // Every fetch in this process (msal-node uses the global one) is recorded to prove nothing left loopback.
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await harness.stop();
});

describe('msal-node against the emulator', () => {
  it('completes code flow with PKCE, then a forced silent refresh brings a new refresh token', async () => {
    const endpoints = cloudEndpoints('global', harness.endpointOverrides);
    const msal = createMsalClient({ clientId: CLIENT_ID, clientSecret: SECRET, tenant: TENANT, endpoints });
    const scopes = mailScopes(endpoints);
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
    await harness.control.clearRequests();

    const authUrl = await msal.getAuthCodeUrl({
      scopes,
      redirectUri: REDIRECT,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state: 'st-9',
      nonce: 'nonce-9',
      prompt: 'select_account',
    });
    expect(authUrl.startsWith(`${harness.emulator.url}/${TENANT}/oauth2/v2.0/authorize?`)).toBe(true);

    const { redirect } = await new SignInDriver().signIn(authUrl, 'alice@contoso.test');
    const code = redirect.searchParams.get('code') ?? '';
    expect(redirect.searchParams.get('state')).toBe('st-9');

    const first = await msal.acquireTokenByCode(
      { code, scopes, redirectUri: REDIRECT, codeVerifier: verifier, state: 'st-9', nonce: 'nonce-9' },
      { code, state: 'st-9' },
    );
    const alice = await harness.control.getUser('alice@contoso.test');
    expect(first.account?.username).toBe('alice@contoso.test');
    expect(first.account?.homeAccountId).toBe(`${alice?.oid}.${TENANT}`);
    expect(first.idTokenClaims).toMatchObject({ nonce: 'nonce-9', tid: TENANT });
    const refreshBefore = refreshTokenIn(msal.getTokenCache().serialize());

    const account = first.account;
    if (!account) throw new Error('msal returned no account');
    const second = await msal.acquireTokenSilent({ account, scopes, forceRefresh: true });
    const refreshAfter = refreshTokenIn(msal.getTokenCache().serialize());
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(refreshAfter).not.toBe(refreshBefore);

    // Like Microsoft, the emulator keeps the previous refresh token valid (strict rotation is a test switch).
    const replay = await fetch(`${harness.emulator.url}/${TENANT}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: CLIENT_ID,
        client_secret: SECRET,
        refresh_token: refreshBefore,
      }),
    });
    expect(replay.status).toBe(200);

    // The access token from msal opens the mailbox over IMAP XOAUTH2.
    const imap = new ImapFlow({
      host: endpoints.imap.host,
      port: endpoints.imap.port,
      secure: endpoints.imap.tls,
      auth: { user: 'alice@contoso.test', accessToken: second.accessToken },
      logger: false,
    });
    await imap.connect();
    await imap.logout();

    const paths = (await harness.control.requests()).map((r) => `${r.method} ${r.path}`);
    expect(paths.filter((p) => p.includes('/token'))).toEqual([
      `POST /${TENANT}/oauth2/v2.0/token`,
      `POST /${TENANT}/oauth2/v2.0/token`,
      `POST /${TENANT}/oauth2/v2.0/token`,
    ]);
    expect(paths.some((p) => p.includes('openid-configuration') || p.includes('discovery/instance'))).toBe(false);
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.filter((url) => !url.startsWith(`${harness.emulator.url}/`))).toEqual([]);
  });
});

function refreshTokenIn(serializedCache: string): string {
  const cache = JSON.parse(serializedCache) as { RefreshToken: Record<string, { secret: string }> };
  const tokens = Object.values(cache.RefreshToken);
  expect(tokens).toHaveLength(1);
  return tokens[0]?.secret ?? '';
}
