/**
 * Mints the token response Microsoft returns: opaque access and refresh tokens, an RS256 id token and
 * `client_info`, shaped as msal-node expects them.
 */
import { createHash } from 'node:crypto';
import type { HarnessUser, RegisteredApp } from './model';
import type { EmulatorState } from './state';

export interface TokenResponse {
  token_type: 'Bearer';
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

export interface IssueRequest {
  app: RegisteredApp;
  user: HarnessUser;
  /** Everything granted, OIDC scopes included; they decide whether an id token and refresh token come back. */
  scopes: string[];
  nonce?: string;
  clientInfo: boolean;
}

const OIDC = new Set(['openid', 'email', 'profile', 'offline_access']);

export async function issueTokens(state: EmulatorState, request: IssueRequest): Promise<TokenResponse> {
  const { app, user, scopes } = request;
  const now = state.now();
  const lifetime = state.settings.accessTokenLifetimeSeconds;
  const resourceScopes = scopes.filter((s) => !OIDC.has(s));
  const response: TokenResponse = {
    token_type: 'Bearer',
    scope: resourceScopes.join(' '),
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: state.grants.issueAccessToken({
      clientId: app.clientId,
      address: user.address,
      scopes: resourceScopes,
      expiresAt: now + lifetime * 1000,
    }),
  };
  if (scopes.includes('offline_access')) {
    response.refresh_token = state.grants.issueRefreshToken({
      clientId: app.clientId,
      address: user.address,
      scopes,
      issuedAt: now,
    });
  }
  if (scopes.includes('openid')) {
    response.id_token = await signIdToken(state, request, now);
  }
  if (request.clientInfo) {
    response.client_info = Buffer.from(JSON.stringify({ uid: user.oid, utid: user.tenantId })).toString('base64url');
  }
  return response;
}

/**
 * The claims Entra puts in a v2 id token (id-token-claims-reference): `preferred_username` is the sign-in name
 * (a UPN, any e-mail address or a phone number), `email` comes only with the `email` scope and only when the
 * user has an addressable mail, and a guest carries its home tenant in `idp` while `tid`/`iss` name the tenant
 * it signed in to.
 */
function signIdToken(state: EmulatorState, { app, user, scopes, nonce }: IssueRequest, now: number): Promise<string> {
  const seconds = Math.floor(now / 1000);
  const email = user.emailClaim === 'mail' ? user.address : user.emailClaim === 'none' ? undefined : user.emailClaim;
  return state.key.sign({
    aud: app.clientId,
    iss: state.issuer(user.tenantId),
    iat: seconds,
    nbf: seconds,
    exp: seconds + 3600,
    name: user.displayName,
    oid: user.oid,
    preferred_username: user.signInName,
    ...(scopes.includes('email') && email ? { email } : {}),
    ...(user.idp ? { idp: user.idp } : {}),
    ...(nonce ? { nonce } : {}),
    // Entra's `sub` is pairwise: the same user has a different `sub` in every app.
    sub: createHash('sha256').update(`${user.oid}|${app.clientId}`).digest('base64url').slice(0, 43),
    tid: user.tenantId,
    ver: '2.0',
  });
}
