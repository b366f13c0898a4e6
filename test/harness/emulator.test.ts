import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlClient } from './control-client';
import { DEFAULT_TENANT, PERSONAL_TENANT_ID } from './emulator/model';
import { startEmulator, type Emulator } from './emulator/server';
import { SignInDriver } from './sign-in-driver';

const CLIENT_ID = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
const SECRET = 'harness-secret~1';
const REDIRECT = 'http://localhost:3000/api/v1/external_credentials/microsoft365/callback';
const SCOPES =
  'openid email profile offline_access https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send';
const TENANT = DEFAULT_TENANT.id;

let emulator: Emulator;
let control: ControlClient;

beforeAll(async () => {
  emulator = await startEmulator();
  control = new ControlClient(emulator.url);
});
afterAll(() => emulator.close());

beforeEach(async () => {
  await control.reset();
  await control.addUser({ address: 'alice@contoso.test', displayName: 'Alice' });
  await control.addUser({ address: 'pat@outlook.test', kind: 'personal' });
  await control.registerApp({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    redirectUris: [REDIRECT],
    audience: 'organizations',
  });
});

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string> = {}, tenant: string = TENANT): string {
  const url = new URL(`${emulator.url}/${tenant}/oauth2/v2.0/authorize`);
  const defaults = {
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: SCOPES,
    state: 'st-1',
    nonce: 'n-1',
    prompt: 'select_account',
    client_info: '1',
  };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) url.searchParams.set(key, value);
  return url.toString();
}

async function codeFor(account: string, challenge: string, params: Record<string, string> = {}): Promise<string> {
  const { redirect } = await new SignInDriver().signIn(
    authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', ...params }),
    account,
  );
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`No code: ${redirect.toString()}`);
  return code;
}

async function token(
  fields: Record<string, string>,
  tenant: string = TENANT,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${emulator.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: SECRET, client_info: '1', ...fields }).toString(),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

async function redeem(code: string, verifier: string, extra: Record<string, string> = {}) {
  return token({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    scope: SCOPES,
    ...extra,
  });
}

function expectMicrosoftError(body: Record<string, unknown>, code: number, error: string): void {
  expect(body.error).toBe(error);
  expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
  expect(body.error_codes).toEqual([code]);
  for (const key of ['timestamp', 'trace_id', 'correlation_id']) expect(typeof body[key]).toBe('string');
}

describe('authorization code grant', () => {
  it('issues tokens for a code redeemed with the right PKCE verifier', async () => {
    const { verifier, challenge } = pkce();
    const { status, body } = await redeem(await codeFor('alice@contoso.test', challenge), verifier);
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(body.scope).toBe('https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send');
    for (const key of ['access_token', 'refresh_token', 'id_token', 'client_info'])
      expect(typeof body[key]).toBe('string');
  });

  it('refuses a code whose PKCE verifier does not match the challenge', async () => {
    const { challenge } = pkce();
    const { status, body } = await redeem(await codeFor('alice@contoso.test', challenge), pkce().verifier);
    expect(status).toBe(400);
    expectMicrosoftError(body, 501481, 'invalid_grant');
  });

  it('refuses a code the second time it is redeemed', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor('alice@contoso.test', challenge);
    expect((await redeem(code, verifier)).status).toBe(200);
    const again = await redeem(code, verifier);
    expect(again.status).toBe(400);
    expectMicrosoftError(again.body, 54005, 'invalid_grant');
  });

  it('refuses a code after ten minutes', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor('alice@contoso.test', challenge);
    await control.advanceClock(10 * 60_000 + 1_000);
    expectMicrosoftError((await redeem(code, verifier)).body, 70008, 'invalid_grant');
  });

  it('refuses a wrong client secret with 401 AADSTS7000215 and an expired one with AADSTS7000222', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor('alice@contoso.test', challenge);
    const wrong = await redeem(code, verifier, { client_secret: 'not-it' });
    expect(wrong.status).toBe(401);
    expectMicrosoftError(wrong.body, 7000215, 'invalid_client');
    await control.registerApp({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUris: [REDIRECT],
      secretExpiresAt: '2020-01-01T00:00:00Z',
    });
    const expired = await redeem(code, verifier);
    expect(expired.status).toBe(401);
    expectMicrosoftError(expired.body, 7000222, 'invalid_client');
  });

  it('signs an id token that verifies against the JWKS with nonce, tid, oid and client_info', async () => {
    const { verifier, challenge } = pkce();
    const { body } = await redeem(await codeFor('alice@contoso.test', challenge, { nonce: 'nonce-42' }), verifier);
    const jwks = createRemoteJWKSet(new URL(`${emulator.url}/${TENANT}/discovery/v2.0/keys`));
    const { payload, protectedHeader } = await jwtVerify(String(body.id_token), jwks, {
      issuer: `${emulator.url}/${TENANT}/v2.0`,
      audience: CLIENT_ID,
    });
    const alice = await control.getUser('alice@contoso.test');
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(typeof protectedHeader.kid).toBe('string');
    expect(payload).toMatchObject({
      nonce: 'nonce-42',
      tid: TENANT,
      oid: alice?.oid,
      preferred_username: 'alice@contoso.test',
      email: 'alice@contoso.test',
      name: 'Alice',
      ver: '2.0',
    });
    expect(typeof payload.sub).toBe('string');
    expect(JSON.parse(Buffer.from(String(body.client_info), 'base64url').toString())).toEqual({
      uid: alice?.oid,
      utid: TENANT,
    });
  });
});

describe('refresh token grant', () => {
  async function refreshTokenFor(address: string): Promise<string> {
    const { verifier, challenge } = pkce();
    return String((await redeem(await codeFor(address, challenge), verifier)).body.refresh_token);
  }

  it('hands out a new refresh token each time and, like Microsoft, keeps the previous one valid', async () => {
    const first = await refreshTokenFor('alice@contoso.test');
    const second = await token({ grant_type: 'refresh_token', refresh_token: first, scope: SCOPES });
    expect(second.body.refresh_token).not.toBe(first);
    expect((await token({ grant_type: 'refresh_token', refresh_token: first })).status).toBe(200);
  });

  it('in strict rotation mode: the new refresh token works and the old one is refused', async () => {
    await control.setStrictRefreshTokenRotation(true);
    const first = await refreshTokenFor('alice@contoso.test');
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first, scope: SCOPES });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(first);
    expectMicrosoftError(
      (await token({ grant_type: 'refresh_token', refresh_token: first })).body,
      70008,
      'invalid_grant',
    );
    expect(
      (await token({ grant_type: 'refresh_token', refresh_token: String(rotated.body.refresh_token) })).status,
    ).toBe(200);
  });

  it('refuses refresh tokens of a revoked user (50173) and idle ones (700082)', async () => {
    await control.addUser({ address: 'bob@contoso.test' });
    const alice = await refreshTokenFor('alice@contoso.test');
    const bob = await refreshTokenFor('bob@contoso.test');
    await control.revokeUser('alice@contoso.test');
    await control.expireRefreshTokens('bob@contoso.test');
    expectMicrosoftError(
      (await token({ grant_type: 'refresh_token', refresh_token: alice })).body,
      50173,
      'invalid_grant',
    );
    expectMicrosoftError(
      (await token({ grant_type: 'refresh_token', refresh_token: bob })).body,
      700082,
      'invalid_grant',
    );
  });
});

describe('armed faults', () => {
  const cases = [
    { code: 65001, status: 400, error: 'invalid_grant' },
    { code: 7000215, status: 401, error: 'invalid_client' },
    { code: 7000222, status: 401, error: 'invalid_client' },
    { code: 700082, status: 400, error: 'invalid_grant' },
    { code: 50173, status: 400, error: 'invalid_grant' },
    { code: 50000, status: 500, error: 'server_error' },
    { code: 90033, status: 503, error: 'temporarily_unavailable' },
  ];
  it.each(cases)(
    'answers AADSTS$code with HTTP $status and Microsoft’s JSON, then recovers',
    async ({ code, status, error }) => {
      await control.armTokenFault({ code, count: 1 });
      const failed = await token({ grant_type: 'refresh_token', refresh_token: 'anything' });
      expect(failed.status).toBe(status);
      expectMicrosoftError(failed.body, code, error);
      expectMicrosoftError(
        (await token({ grant_type: 'refresh_token', refresh_token: 'anything' })).body,
        70000,
        'invalid_grant',
      );
    },
  );

  it('throttles with 429 and Retry-After', async () => {
    await control.throttle(2, 7);
    for (let i = 0; i < 2; i += 1) {
      const throttled = await token({ grant_type: 'refresh_token', refresh_token: 'x' });
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
    }
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'x' })).status).toBe(400);
  });

  it('delays the token endpoint', async () => {
    await control.setTokenDelay(150);
    const started = Date.now();
    await token({ grant_type: 'refresh_token', refresh_token: 'x' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('requires admin consent (65001) until an admin consents through the adminconsent page', async () => {
    const { verifier, challenge } = pkce();
    const refreshToken = String(
      (await redeem(await codeFor('alice@contoso.test', challenge), verifier)).body.refresh_token,
    );
    await control.requireAdminConsent(CLIENT_ID);
    expectMicrosoftError(
      (await token({ grant_type: 'refresh_token', refresh_token: refreshToken })).body,
      65001,
      'invalid_grant',
    );
    // Interactive: "Need admin approval", and leaving it brings back access_denied + cancel without a code.
    const browser = new SignInDriver();
    const refused = await browser.signIn(
      authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }),
      'alice@contoso.test',
    );
    expect(Object.fromEntries(refused.redirect.searchParams)).toEqual({
      error: 'access_denied',
      error_subcode: 'cancel',
      state: 'st-1',
    });
    // Silent, with the session the browser now has: consent_required with AADSTS65001.
    const silent = await browser.signIn(authorizeUrl({ prompt: 'none' }), undefined);
    expect(silent.redirect.searchParams.get('error')).toBe('consent_required');
    expect(silent.redirect.searchParams.get('error_description')).toMatch(/^AADSTS65001: /);

    const consentUrl = `${emulator.url}/${TENANT}/v2.0/adminconsent?${new URLSearchParams({ client_id: CLIENT_ID, scope: 'https://outlook.office.com/.default', redirect_uri: REDIRECT, state: 'ac-1' })}`;
    const consentPage = await (await fetch(consentUrl)).text();
    const fields = Object.fromEntries(
      [...consentPage.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const declined = await fetch(`${emulator.url}/${TENANT}/v2.0/adminconsent/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, decision: 'cancel' }).toString(),
    });
    const refusal = new URL(declined.headers.get('location') ?? '').searchParams;
    expect(refusal.get('admin_consent')).toBe('True');
    expect(refusal.get('error')).toBe('consent_required');
    expect(refusal.get('error_description')).toMatch(/^AADSTS65004: /);
    expect(refusal.has('tenant')).toBe(false);

    const accepted = await fetch(`${emulator.url}/${TENANT}/v2.0/adminconsent/decision`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, admin: 'alice@contoso.test' }).toString(),
    });
    const back = new URL(accepted.headers.get('location') ?? '');
    expect(Object.fromEntries(back.searchParams)).toMatchObject({
      admin_consent: 'True',
      tenant: TENANT,
      state: 'ac-1',
    });
    expect((await codeFor('alice@contoso.test', challenge)).length).toBeGreaterThan(10);
  });
});

describe('authorize errors', () => {
  it('shows an AADSTS50011 page and does not redirect when the redirect URI is not registered', async () => {
    const response = await fetch(authorizeUrl({ redirect_uri: 'http://localhost:3000/evil' }), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('AADSTS50011: The redirect URI &#39;http://localhost:3000/evil&#39;');
  });

  it('shows AADSTS90002 for an unknown tenant', async () => {
    const response = await fetch(authorizeUrl({}, 'nowhere.test'), { redirect: 'manual' });
    expect(await response.text()).toContain('AADSTS90002');
  });

  it('returns AADSTS28000 to the redirect URI when Graph and Outlook scopes are mixed', async () => {
    const { redirect } = await new SignInDriver().signIn(
      authorizeUrl({ scope: `${SCOPES} https://graph.microsoft.com/Mail.Read` }),
      undefined,
    );
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT);
    expect(redirect.searchParams.get('error')).toBe('invalid_scope');
    expect(redirect.searchParams.get('error_description')).toMatch(/^AADSTS28000: /);
    expect(redirect.searchParams.get('state')).toBe('st-1');
  });

  it('refuses a personal account on a single-tenant app with AADSTS50020', async () => {
    await control.registerApp({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUris: [REDIRECT],
      audience: 'single',
      tenant: TENANT,
    });
    const { redirect } = await new SignInDriver().signIn(authorizeUrl(), 'pat@outlook.test');
    expect(redirect.searchParams.get('error_description')).toMatch(
      /^AADSTS50020: User account 'pat@outlook.test' from identity provider 'live.com'/,
    );
    const pat = await control.getUser('pat@outlook.test');
    expect(pat?.tenantId).toBe(PERSONAL_TENANT_ID);
  });

  it('refuses /common for a single-tenant app with AADSTS50194', async () => {
    await control.registerApp({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUris: [REDIRECT],
      audience: 'single',
    });
    const { redirect } = await new SignInDriver().signIn(authorizeUrl({}, 'common'), undefined);
    expect(redirect.searchParams.get('error_description')).toMatch(/^AADSTS50194: /);
  });

  it('returns access_denied with error_subcode=cancel and no description when the user cancels', async () => {
    const { redirect } = await new SignInDriver().signIn(authorizeUrl(), undefined, { cancel: true });
    expect(Object.fromEntries(redirect.searchParams)).toEqual({
      error: 'access_denied',
      error_subcode: 'cancel',
      state: 'st-1',
    });
  });

  it('returns access_denied AADSTS65004 when the user declines the consent prompt', async () => {
    await control.registerApp({ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [REDIRECT], consent: 'user' });
    const { redirect } = await new SignInDriver().signIn(authorizeUrl(), 'alice@contoso.test', { consent: 'cancel' });
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('error_description')).toMatch(/^AADSTS65004: User declined to consent/);
  });

  it('fails code redemption by a server with AADSTS9002327 when the redirect URI is registered as SPA', async () => {
    await control.registerApp({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUris: [REDIRECT],
      redirectPlatform: 'spa',
    });
    const { verifier, challenge } = pkce();
    const answer = await redeem(await codeFor('alice@contoso.test', challenge), verifier);
    expect(answer.status).toBe(400);
    expectMicrosoftError(answer.body, 9002327, 'invalid_request');
    expect(answer.body.error_description).toContain(
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    );
  });

  it('signs id tokens with a new kid after a key rollover and publishes both keys', async () => {
    const before = (await (await fetch(`${emulator.url}/${TENANT}/discovery/v2.0/keys`)).json()) as {
      keys: { kid: string }[];
    };
    const kid = await control.rotateSigningKey();
    const after = (await (await fetch(`${emulator.url}/${TENANT}/discovery/v2.0/keys`)).json()) as {
      keys: { kid: string }[];
    };
    expect(after.keys.map((k) => k.kid)).toEqual([kid, before.keys[0]?.kid]);
    const { verifier, challenge } = pkce();
    const idToken = String((await redeem(await codeFor('alice@contoso.test', challenge), verifier)).body.id_token);
    expect(JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(kid);
  });

  it('signs in silently with the session cookie unless prompt asks for the picker', async () => {
    const browser = new SignInDriver();
    await browser.signIn(authorizeUrl(), 'alice@contoso.test');
    const silent = await browser.signIn(authorizeUrl({ prompt: 'none' }), undefined);
    expect(silent.redirect.searchParams.get('code')).toBeTruthy();
    const fresh = await new SignInDriver().signIn(authorizeUrl({ prompt: 'none' }), undefined);
    expect(fresh.redirect.searchParams.get('error')).toBe('login_required');
  });
});

describe('introspection for the mail servers', () => {
  it('answers active for a live token and inactive for unknown, expired or revoked ones', async () => {
    const introspect = async (t: string) =>
      (
        await fetch(`${emulator.url}/_harness/introspect/imap`, {
          method: 'POST',
          body: new URLSearchParams({ token: t }),
        })
      ).json();
    const { access_token: live } = await control.issueTokens({ address: 'alice@contoso.test' });
    expect(await introspect(live)).toMatchObject({ active: true, username: 'alice@contoso.test' });
    expect(await introspect('garbage')).toEqual({ active: false });
    await control.expireAccessTokens('alice@contoso.test');
    expect(await introspect(live)).toEqual({ active: false });
  });
});
