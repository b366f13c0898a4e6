import type { CloudEndpoints } from '@/lib/microsoft/clouds';

/**
 * Delegated Graph mail permissions, named on the cloud's Graph resource (a national cloud's scopes name its own
 * Graph host: https://learn.microsoft.com/en-us/graph/sdks/national-clouds, "Permission scopes"). `Mail.ReadWrite`
 * reads and moves, `Mail.Send` sends; their `.Shared` variants reach a mailbox the signed-in user was given access
 * to (https://learn.microsoft.com/en-us/graph/permissions-reference#mailreadwriteshared).
 */
export function graphMailPermissions(endpoints: CloudEndpoints, options: { shared: boolean }): string[] {
  const names = options.shared
    ? ['Mail.ReadWrite', 'Mail.Send', 'Mail.ReadWrite.Shared', 'Mail.Send.Shared']
    : ['Mail.ReadWrite', 'Mail.Send'];
  return names.map((name) => `${endpoints.graphResource}/${name}`);
}

/** What a delegated Graph sign-in asks for: the OpenID scopes, a refresh token, and the mail permissions. */
export function graphSignInScopes(endpoints: CloudEndpoints, options: { shared: boolean }): string[] {
  return ['openid', 'email', 'profile', 'offline_access', ...graphMailPermissions(endpoints, options)];
}
