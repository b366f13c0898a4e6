/**
 * Who is calling Graph: the bearer token looked up in the identity emulator's grants (tokens are opaque there).
 * A Graph token has the Graph resource as audience: app-only tokens carry `roles`, delegated ones Graph `scp`.
 * - 401 `InvalidAuthenticationToken` for an absent, expired or foreign-audience token
 *   (https://learn.microsoft.com/en-us/graph/resolve-auth-errors, "401 Unauthorized"; the messages are the ones
 *   Graph returns in public reports: "Access token is empty.", "Lifetime validation failed, the token is expired.",
 *   "Invalid audience.").
 */
import type { AccessTokenGrant } from '../emulator/grants';
import { GRAPH_RESOURCE } from '../emulator/scopes';
import type { EmulatorState } from '../emulator/state';
import { GraphError } from './errors';

export type Principal =
  | { kind: 'app'; clientId: string; tenantId: string; roles: string[] }
  | { kind: 'user'; clientId: string; address: string; scopes: string[] };

export function authenticate(state: EmulatorState, authorization: string | undefined): Principal {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
  if (!token) throw invalidToken('Access token is empty.');
  const grant = state.grants.findAccessToken(token);
  if (!grant) throw invalidToken('IDX14100: JWT is not well formed, there are no dots (.).');
  if (grant.revoked || grant.expiresAt <= state.now()) {
    throw invalidToken('Lifetime validation failed, the token is expired.');
  }
  if (grant.app) {
    if (grant.app.audience !== GRAPH_RESOURCE) throw invalidToken('Access token validation failure. Invalid audience.');
    return { kind: 'app', clientId: grant.clientId, tenantId: grant.app.tenantId, roles: grant.app.roles };
  }
  const graphScopes = delegatedGraphScopes(grant);
  if (graphScopes.length === 0) throw invalidToken('Access token validation failure. Invalid audience.');
  return { kind: 'user', clientId: grant.clientId, address: grant.address, scopes: graphScopes };
}

function delegatedGraphScopes(grant: AccessTokenGrant): string[] {
  const prefix = `${GRAPH_RESOURCE}/`;
  return grant.scopes.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
}

function invalidToken(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, {
    'www-authenticate':
      'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
  });
}
