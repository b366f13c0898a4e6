/**
 * `POST /{tenant}/oauth2/v2.0/token`: authorization_code (single use, 10 minutes, PKCE S256, same redirect URI),
 * refresh_token (a new one with every answer; the presented one stays valid, as at Microsoft, unless a test
 * switches strict rotation on) and client_credentials (the app alone, no user). Errors use Microsoft's JSON shape
 * and statuses.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AadError, aadError } from './aadsts';
import { assertAppServesScope } from './audience';
import { sendJson, type RequestContext, type Route } from './http';
import { issueTokens, type TokenResponse } from './issue';
import type { TenantScope } from './directory';
import type { HarnessUser, RegisteredApp } from './model';
import { GRAPH_RESOURCE, grantScopes } from './scopes';
import type { EmulatorState } from './state';

export function tokenRoutes(state: EmulatorState): Route[] {
  return [{ method: 'POST', pattern: /^\/([^/]+)\/oauth2\/v2\.0\/token$/, handler: (ctx) => token(state, ctx) }];
}

async function token(state: EmulatorState, ctx: RequestContext): Promise<void> {
  if (state.faults.tokenDelayMs > 0) await sleep(state.faults.tokenDelayMs);
  try {
    const origin = ctx.req.headers.origin;
    sendJson(ctx.res, 200, await redeem(state, ctx.params[0] ?? '', ctx.form, basicCredentials(ctx), origin));
  } catch (error) {
    if (!(error instanceof AadError)) throw error;
    const headers: Record<string, string> = error.retryAfterSeconds
      ? { 'retry-after': String(error.retryAfterSeconds) }
      : {};
    sendJson(ctx.res, error.status, error.toJson(), headers);
  }
}

async function redeem(
  state: EmulatorState,
  segment: string,
  form: URLSearchParams,
  basic: Credentials | undefined,
  origin: string | undefined,
): Promise<TokenResponse | AppTokenResponse> {
  const grantType = form.get('grant_type') ?? '';
  const clientId = form.get('client_id') ?? basic?.clientId;
  const knownApp = clientId ? state.directory.findApp(clientId) : undefined;
  const injected = state.faults.takeTokenFault(grantType, {
    clientId: clientId ?? '',
    appName: knownApp?.displayName ?? '',
  });
  if (injected) throw injected;

  const scope = state.directory.resolveScope(segment);
  if (!grantType) throw aadError(900144, { param: 'grant_type' });
  if (!clientId) throw aadError(900144, { param: 'client_id' });
  const app = state.directory.findApp(clientId);
  if (!app) throw aadError(700016, { clientId, tenant: segment });
  assertAppServesScope(app, scope, segment);
  assertClientSecret(state, app, form.get('client_secret') ?? basic?.secret);

  const clientInfo = form.get('client_info') === '1';
  if (grantType === 'authorization_code') return redeemCode(state, app, form, clientInfo, origin);
  if (grantType === 'refresh_token') return redeemRefreshToken(state, app, form, clientInfo);
  if (grantType === 'client_credentials') return clientCredentials(state, app, scope, form);
  throw aadError(70003, { grantType });
}

/**
 * The app's own token, as a daemon gets it: the tenant must be one directory, in which the app exists (its home
 * tenant or one whose administrator consented), and the scope a resource's `/.default`.
 * - https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow (tenant "in GUID or
 *   domain-name format"; scope "the resource identifier ... affixed with the .default suffix").
 * - /common and /consumers answer AADSTS9001023 (Microsoft365DSC/MSCloudLoginAssistant#100); Entra's stance that
 *   client credentials never target `common` or `organizations` (AzureAD/microsoft-authentication-library-for-dotnet
 *   #1384): the docs are silent on /organizations, so it is refused here too, the stricter choice.
 * - An app with no service principal in the tenant: AADSTS700016, as for any other grant.
 */
type AppTokenResponse = Omit<TokenResponse, 'scope' | 'refresh_token' | 'id_token' | 'client_info'>;

function clientCredentials(
  state: EmulatorState,
  app: RegisteredApp,
  scope: TenantScope,
  form: URLSearchParams,
): AppTokenResponse {
  if (scope.kind !== 'tenant') throw aadError(9001023);
  const tenantId = scope.tenant.id;
  if (tenantId !== app.tenantId && !state.grants.hasAdminConsent(app.clientId, tenantId)) {
    throw aadError(700016, { clientId: app.clientId, tenant: tenantId });
  }
  const requested = form.get('scope') ?? '';
  if (!requested) throw aadError(900144, { param: 'scope' });
  if (requested.split(/\s+/).some((s) => !s.endsWith('/.default'))) throw aadError(1002012, { scope: requested });
  if (requested.toLowerCase() === `${GRAPH_RESOURCE}/.default`) return graphAppToken(state, app, tenantId);
  const outlook = state.settings.outlookResources.find((r) => requested.toLowerCase() === `${r}/.default`);
  if (outlook) return exchangeAppToken(state, app, tenantId, outlook);
  return {
    token_type: 'Bearer',
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: randomBytes(32).toString('base64url'),
  };
}

/**
 * A Graph app-only token carries the application permissions an administrator granted as `roles`
 * (learn.microsoft.com/en-us/graph/auth-v2-service, "Request an access token"). Entra does not refuse a token for
 * an app with no granted permission: it issues one without `roles` and Microsoft Graph answers 403
 * (learn.microsoft.com/en-us/answers/questions/5672988). In another tenant the grant is that tenant's admin consent.
 */
function graphAppToken(state: EmulatorState, app: RegisteredApp, tenantId: string): AppTokenResponse {
  return appToken(state, app, tenantId, GRAPH_RESOURCE, app.applicationPermissions);
}

/**
 * An Exchange Online app-only token (`https://outlook.office365.com/.default`) carries the granted "Office 365
 * Exchange Online" application permissions (IMAP.AccessAsApp, SMTP.SendAsApp) as `roles`, like Graph's: without
 * consent it comes without them (jstedfast/MailKit#1811 shows such a token's `roles`; the docs are silent on a token
 * without a grant, so the Graph behaviour above is followed). Exchange, not Entra, then decides per mailbox.
 */
function exchangeAppToken(
  state: EmulatorState,
  app: RegisteredApp,
  tenantId: string,
  resource: string,
): AppTokenResponse {
  return appToken(state, app, tenantId, resource, app.exchangePermissions);
}

function appToken(
  state: EmulatorState,
  app: RegisteredApp,
  tenantId: string,
  audience: string,
  granted: string[],
): AppTokenResponse {
  const consented = app.consent !== 'admin' || state.grants.hasAdminConsent(app.clientId, tenantId);
  const roles = consented ? granted : [];
  const lifetime = state.settings.accessTokenLifetimeSeconds;
  return {
    token_type: 'Bearer',
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: state.grants.issueAccessToken({
      clientId: app.clientId,
      address: '',
      scopes: [],
      app: { audience, tenantId, roles },
      expiresAt: state.now() + lifetime * 1000,
    }),
  };
}

async function redeemCode(
  state: EmulatorState,
  app: RegisteredApp,
  form: URLSearchParams,
  clientInfo: boolean,
  origin: string | undefined,
): Promise<TokenResponse> {
  const code = form.get('code');
  if (!code) throw aadError(900144, { param: 'code' });
  const grant = state.grants.findCode(code);
  if (!grant || grant.clientId !== app.clientId) throw aadError(70000);
  if (grant.redeemed) throw aadError(54005);
  if (grant.expiresAt < state.now()) throw aadError(70008);
  const redirectUri = form.get('redirect_uri');
  if (!redirectUri) throw aadError(900144, { param: 'redirect_uri' });
  if (redirectUri !== grant.redirectUri) throw aadError(500112, { redirectUri });
  if (grant.codeChallenge && s256(form.get('code_verifier') ?? '') !== grant.codeChallenge) throw aadError(501481);
  // A server posts without an Origin header; Microsoft only redeems SPA-platform codes for browsers (CORS).
  if (app.redirectPlatform === 'spa' && !origin) throw aadError(9002327);
  const user = consentedUser(state, app, grant.address);
  grant.redeemed = true;
  return issueTokens(state, { app, user, scopes: grant.scopes, nonce: grant.nonce, clientInfo });
}

async function redeemRefreshToken(
  state: EmulatorState,
  app: RegisteredApp,
  form: URLSearchParams,
  clientInfo: boolean,
): Promise<TokenResponse> {
  const presented = form.get('refresh_token');
  if (!presented) throw aadError(900144, { param: 'refresh_token' });
  const grant = state.grants.findRefreshToken(presented);
  if (!grant || grant.clientId !== app.clientId) throw aadError(70000);
  const issued = new Date(grant.issuedAt).toISOString();
  if (grant.status === 'rotated') throw aadError(70008);
  if (grant.status === 'revoked') throw aadError(50173, { issued, now: new Date(state.now()).toISOString() });
  if (grant.status === 'idle-expired') throw aadError(700082, { issued });
  const user = consentedUser(state, app, grant.address);
  // A refresh may ask for a subset or another Outlook permission; OIDC scopes stay as first granted.
  const requested = form.get('scope');
  const resourceScopes = requested ? grantScopes(requested, state.settings.outlookResources).resourceScopes : undefined;
  const oidc = grant.scopes.filter((s) => !s.includes('/'));
  const scopes = resourceScopes ? [...resourceScopes, ...oidc] : grant.scopes;
  // "Refresh tokens aren't revoked when used to acquire new access tokens" (Microsoft identity platform,
  // v2-oauth2-auth-code-flow): only a test that proves the newest one is kept switches strict rotation on.
  if (state.settings.strictRefreshTokenRotation) grant.status = 'rotated';
  return issueTokens(state, { app, user, scopes, clientInfo });
}

function consentedUser(state: EmulatorState, app: RegisteredApp, address: string): HarnessUser {
  const user = state.directory.findUser(address);
  if (!user) throw aadError(70000);
  if (app.consent === 'admin' && !state.grants.hasAdminConsent(app.clientId, user.tenantId)) {
    throw aadError(65001, { clientId: app.clientId, appName: app.displayName });
  }
  return user;
}

function assertClientSecret(state: EmulatorState, app: RegisteredApp, secret: string | undefined): void {
  if (!secret) throw aadError(7000218);
  if (secret !== app.clientSecret) throw aadError(7000215, { clientId: app.clientId });
  if (app.secretExpiresAt && Date.parse(app.secretExpiresAt) < state.now())
    throw aadError(7000222, { clientId: app.clientId });
}

interface Credentials {
  clientId: string;
  secret: string;
}

/** client_secret_basic: msal posts the secret in the body, other clients use HTTP Basic. */
function basicCredentials(ctx: RequestContext): Credentials | undefined {
  const header = ctx.req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
