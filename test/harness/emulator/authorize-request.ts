/**
 * Validates an authorize request in Microsoft's order: problems found before the redirect URI is trusted are shown
 * as an error page; everything after goes back to the app as `error`/`error_description`/`state`.
 */
import { AadError, aadError } from './aadsts';
import { assertAppServesScope } from './audience';
import type { TenantScope } from './directory';
import type { RegisteredApp } from './model';
import { grantScopes } from './scopes';
import type { EmulatorState } from './state';

const PROMPTS = new Set(['login', 'select_account', 'consent', 'none']);
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export type AuthorizeCheck =
  | { kind: 'page-error'; error: AadError }
  | { kind: 'redirect-error'; error: AadError; redirectUri: string; state: string | undefined }
  | { kind: 'ok'; app: RegisteredApp; scope: TenantScope; scopes: string[] };

/** Checks tenant, client and redirect URI; failures here must never redirect (the URI is not trusted yet). */
export function checkClient(
  state: EmulatorState,
  segment: string,
  query: URLSearchParams,
): { app: RegisteredApp; scope: TenantScope; redirectUri: string } {
  const scope = state.directory.resolveScope(segment);
  const clientId = query.get('client_id');
  if (!clientId) throw aadError(900144, { param: 'client_id' });
  const app = state.directory.findApp(clientId);
  if (!app) throw aadError(700016, { clientId, tenant: segment });
  const redirectUri = query.get('redirect_uri');
  if (!redirectUri) throw aadError(900144, { param: 'redirect_uri' });
  if (!app.redirectUris.includes(redirectUri)) throw aadError(50011, { redirectUri, clientId: app.clientId });
  return { app, scope, redirectUri };
}

export function checkAuthorizeRequest(state: EmulatorState, segment: string, query: URLSearchParams): AuthorizeCheck {
  let client: ReturnType<typeof checkClient>;
  try {
    client = checkClient(state, segment, query);
  } catch (error) {
    if (error instanceof AadError) return { kind: 'page-error', error };
    throw error;
  }
  const { app, scope, redirectUri } = client;
  const stateParam = query.get('state') ?? undefined;
  try {
    assertAppServesScope(app, scope, segment);
    const responseType = query.get('response_type') ?? '';
    if (responseType !== 'code') throw aadError(700054, { responseType });
    const granted = grantScopes(query.get('scope'), state.settings.outlookResources);
    checkPkce(query);
    const prompt = query.get('prompt');
    if (prompt && !PROMPTS.has(prompt)) throw aadError(9002313, { detail: `Unsupported prompt value '${prompt}'.` });
    const injected = state.faults.takeAuthorizeFault({ clientId: app.clientId, appName: app.displayName });
    if (injected) throw injected;
    const oidc = (['openid', 'email', 'profile', 'offline_access'] as const).filter((s) =>
      query.get('scope')?.split(/\s+/).includes(s),
    );
    return { kind: 'ok', app, scope, scopes: [...granted.resourceScopes, ...oidc] };
  } catch (error) {
    if (error instanceof AadError) return { kind: 'redirect-error', error, redirectUri, state: stateParam };
    throw error;
  }
}

function checkPkce(query: URLSearchParams): void {
  const challenge = query.get('code_challenge');
  if (!challenge) return; // Optional for confidential (Web) clients, as at Microsoft.
  const method = query.get('code_challenge_method') ?? 'plain';
  if (method !== 'S256') {
    throw aadError(9002313, {
      detail: `code_challenge_method '${method}' is not accepted by this stand-in; use S256.`,
    });
  }
  if (!S256_CHALLENGE.test(challenge)) throw aadError(9002313, { detail: 'Invalid size of Code_Challenge parameter.' });
}
