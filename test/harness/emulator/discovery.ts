/**
 * The public metadata: JWKS and the OpenID configuration. msal never fetches them here (the product passes
 * authorityMetadata), but the product verifies id tokens against the JWKS, and humans like a working discovery URL.
 */
import { sendJson, type RequestContext, type Route } from './http';
import type { EmulatorState } from './state';

export function discoveryRoutes(state: EmulatorState): Route[] {
  return [
    { method: 'GET', pattern: /^\/([^/]+)\/discovery\/v2\.0\/keys$/, handler: (ctx) => keys(state, ctx) },
    {
      method: 'GET',
      pattern: /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/,
      handler: (ctx) => openIdConfiguration(state, ctx),
    },
  ];
}

function keys(state: EmulatorState, ctx: RequestContext): void {
  state.directory.resolveScope(ctx.params[0] ?? '');
  const issuer = `${state.settings.baseUrl}/{tenantid}/v2.0`;
  sendJson(ctx.res, 200, { keys: state.keys.map((key) => key.jwk(issuer)) });
}

function openIdConfiguration(state: EmulatorState, ctx: RequestContext): void {
  const segment = ctx.params[0] ?? '';
  const scope = state.directory.resolveScope(segment);
  const base = `${state.settings.baseUrl}/${encodeURIComponent(segment)}`;
  // Multi-tenant aliases publish a templated issuer; the concrete one comes from the id token's tid.
  const issuer = scope.kind === 'tenant' ? state.issuer(scope.tenant.id) : `${state.settings.baseUrl}/{tenantid}/v2.0`;
  sendJson(ctx.res, 200, {
    issuer,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'nbf',
      'name',
      'nonce',
      'oid',
      'preferred_username',
      'email',
      'tid',
      'ver',
    ],
    request_uri_parameter_supported: false,
    tenant_region_scope: 'WW',
    cloud_instance_name: 'microsoftonline.com',
  });
}
