/**
 * Scope rules of the v2.0 endpoint as far as the mail product meets them: one resource per request
 * (AADSTS28000), bare permission names mean Microsoft Graph, and `.default` means "what the app registration lists".
 */
import { aadError } from './aadsts';

export const IMAP_PERMISSION = 'IMAP.AccessAsUser.All';
export const SMTP_PERMISSION = 'SMTP.Send';
const OUTLOOK_PERMISSIONS = new Set([IMAP_PERMISSION, SMTP_PERMISSION, 'POP.AccessAsUser.All', 'EWS.AccessAsUser.All']);
const OIDC_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
/**
 * Delegated Graph mail permissions the product asks for (learn.microsoft.com/en-us/graph/permissions-reference):
 * `.Shared` variants reach mailboxes the user was given access to.
 */
const GRAPH_PERMISSIONS = new Set([
  'Mail.Read',
  'Mail.ReadWrite',
  'Mail.Send',
  'Mail.Read.Shared',
  'Mail.ReadWrite.Shared',
  'Mail.Send.Shared',
  'User.Read',
]);

export interface GrantedScopes {
  /** Resource permissions as `${resource}/${permission}`, what the access token carries. */
  resourceScopes: string[];
  openid: boolean;
  email: boolean;
  offlineAccess: boolean;
}

/**
 * @param outlookResources accepted spellings of the Outlook resource in this cloud (the first is canonical).
 */
export function grantScopes(scopeParam: string | null, outlookResources: readonly string[]): GrantedScopes {
  const requested = (scopeParam ?? '').split(/\s+/).filter(Boolean);
  if (requested.length === 0) throw aadError(900144, { param: 'scope' });
  const oidc = requested.filter((s) => OIDC_SCOPES.has(s.toLowerCase()));
  const resourceScopes = requested.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
  const byResource = new Map<string, string[]>();
  for (const scope of resourceScopes) {
    const { resource, permission } = splitScope(scope);
    byResource.set(resource, [...(byResource.get(resource) ?? []), permission]);
  }
  if (byResource.size > 1) throw aadError(28000, { scope: requested.join(' ') });

  const [resource, permissions] = [...byResource.entries()][0] ?? [undefined, []];
  const graph = resource === GRAPH_RESOURCE;
  if (!resource || (!graph && !outlookResources.includes(resource.toLowerCase()))) {
    throw aadError(70011, { scope: resourceScopes.join(' ') || requested.join(' ') });
  }
  const defaults = graph ? ['Mail.ReadWrite', 'Mail.Send'] : [IMAP_PERMISSION, SMTP_PERMISSION];
  const expanded = permissions.flatMap((p) => (p === '.default' ? defaults : [p]));
  const unknown = expanded.find((p) => !(graph ? GRAPH_PERMISSIONS : OUTLOOK_PERMISSIONS).has(p));
  if (unknown) throw aadError(70011, { scope: `${resource}/${unknown}` });
  return {
    resourceScopes: [...new Set(expanded)].map((p) => `${resource}/${p}`),
    openid: oidc.includes('openid'),
    email: oidc.includes('email'),
    offlineAccess: oidc.includes('offline_access'),
  };
}

export function hasPermission(scopes: readonly string[], permission: string): boolean {
  return scopes.some((s) => s.endsWith(`/${permission}`));
}

function splitScope(scope: string): { resource: string; permission: string } {
  const slash = scope.lastIndexOf('/');
  if (!scope.includes('://') || slash < 0) return { resource: GRAPH_RESOURCE, permission: scope };
  return { resource: scope.slice(0, slash).toLowerCase(), permission: scope.slice(slash + 1) };
}
