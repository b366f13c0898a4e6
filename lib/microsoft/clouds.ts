/**
 * The one place that knows Microsoft's endpoints per national cloud (DESIGN.md §2, §5).
 * Pure: callers pass overrides read from the validated env; tests point the same code at the local harness
 * through those overrides, never through a "test mode" branch.
 */
/**
 * Microsoft's separate national clouds. GCC is not one: it runs in the worldwide cloud (Global). `gcc_high` was
 * stored as `usgov` before DoD became a choice of its own (its hosts were always GCC High's).
 */
export const CLOUD_NAMES = ['global', 'gcc_high', 'dod', 'china'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export type SmtpSecurity = 'implicit' | 'starttls' | 'none';

export interface EndpointOverrides {
  loginUrl?: string;
  imapHost?: string;
  imapPort?: number;
  imapTls?: boolean;
  smtpHost?: string;
  smtpPort?: number;
  smtpSecurity?: SmtpSecurity;
  /** Origin of a Microsoft Graph stand-in (MICROSOFT_GRAPH_URL); the API version path is the client's. */
  graphUrl?: string;
}

export interface CloudEndpoints {
  cloud: CloudName;
  /** Host msal sees in the authority string: always the real one (msal insists on https there). */
  authorityHost: string;
  /** Origin where authorize/token/keys really are: the real login host or an override such as the emulator. */
  loginBaseUrl: string;
  imap: { host: string; port: number; tls: boolean };
  smtp: { host: string; port: number; security: SmtpSecurity };
  /** Resource the mail scopes live on; never mixed with Graph (AADSTS28000). */
  scopeResource: string;
  /** Origin Graph requests go to: the cloud's Graph service root, or an override such as the stand-in. */
  graphBaseUrl: string;
  /** Graph's resource identifier in this cloud, for `/.default` scopes: always the real one, as the authority. */
  graphResource: string;
}

interface CloudDefaults {
  loginHost: string;
  imapHost: string;
  smtpHost: string;
  scopeResource: string;
  graphHost: string;
}

/**
 * Hosts per cloud, from Microsoft's endpoint pages (learn.microsoft.com/microsoft-365/enterprise/):
 * urls-and-ip-address-ranges (Worldwide, including GCC), microsoft-365-u-s-government-gcc-high-endpoints,
 * microsoft-365-u-s-government-dod-endpoints and urls-and-ip-address-ranges-21vianet; the IMAP/SMTP names and
 * scope resources as public clients use them (postalsys/emailengine lib/oauth2-apps.js: DoD mail on
 * outlook-dod.office365.us, 21Vianet on partner.outlook.cn; Exchange Online PowerShell asks DoD for
 * https://outlook-dod.office365.us). Microsoft documents no separate SMTP name for GCC High and DoD: their mail
 * host takes submission on 587 as outlook.office365.com does.
 * Graph's service root per cloud: https://learn.microsoft.com/en-us/graph/deployments ("Microsoft Graph and Graph
 * Explorer service root endpoints": graph.microsoft.com; graph.microsoft.us for US Government L4, i.e. GCC High;
 * dod-graph.microsoft.us for L5 (DOD); microsoftgraph.chinacloudapi.cn for 21Vianet). A national cloud's `.default`
 * scope names its own Graph host (https://learn.microsoft.com/en-us/graph/sdks/national-clouds, "Permission scopes").
 */
const CLOUDS: Record<CloudName, CloudDefaults> = {
  global: {
    loginHost: 'login.microsoftonline.com',
    imapHost: 'outlook.office365.com',
    smtpHost: 'smtp.office365.com',
    scopeResource: 'https://outlook.office.com',
    graphHost: 'graph.microsoft.com',
  },
  gcc_high: {
    loginHost: 'login.microsoftonline.us',
    imapHost: 'outlook.office365.us',
    smtpHost: 'outlook.office365.us',
    scopeResource: 'https://outlook.office365.us',
    graphHost: 'graph.microsoft.us',
  },
  dod: {
    loginHost: 'login.microsoftonline.us',
    imapHost: 'outlook-dod.office365.us',
    smtpHost: 'outlook-dod.office365.us',
    scopeResource: 'https://outlook-dod.office365.us',
    graphHost: 'dod-graph.microsoft.us',
  },
  // 21Vianet: SMTP submission is smtp.partner.outlook.cn:587 (STARTTLS), as every public client configures it.
  china: {
    loginHost: 'login.partner.microsoftonline.cn',
    imapHost: 'partner.outlook.cn',
    smtpHost: 'smtp.partner.outlook.cn',
    scopeResource: 'https://partner.outlook.cn',
    graphHost: 'microsoftgraph.chinacloudapi.cn',
  },
};

const IMAP_TLS_PORT = 993;
const SMTP_SUBMISSION_PORT = 587;

export function cloudEndpoints(cloud: CloudName, overrides: EndpointOverrides = {}): CloudEndpoints {
  const defaults = CLOUDS[cloud];
  return {
    cloud,
    authorityHost: defaults.loginHost,
    loginBaseUrl: overrides.loginUrl ? loginOrigin(overrides.loginUrl) : `https://${defaults.loginHost}`,
    imap: {
      host: overrides.imapHost ?? defaults.imapHost,
      port: overrides.imapPort ?? IMAP_TLS_PORT,
      tls: overrides.imapTls ?? true,
    },
    smtp: {
      host: overrides.smtpHost ?? defaults.smtpHost,
      port: overrides.smtpPort ?? SMTP_SUBMISSION_PORT,
      security: overrides.smtpSecurity ?? 'starttls',
    },
    scopeResource: defaults.scopeResource,
    graphBaseUrl: overrides.graphUrl ? httpOrigin(overrides.graphUrl, 'Graph URL') : `https://${defaults.graphHost}`,
    graphResource: `https://${defaults.graphHost}`,
  };
}

/**
 * The application permissions granted to the app, as one client-credentials scope: that grant only takes a
 * resource's `/.default` (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow).
 */
export function graphAppScope(endpoints: CloudEndpoints): string {
  return `${endpoints.graphResource}/.default`;
}

/**
 * The client-credentials scope for IMAP and SMTP with the app's own token: the Exchange Online resource's `/.default`,
 * which carries the granted IMAP.AccessAsApp and SMTP.SendAsApp as `roles`. Microsoft names
 * `https://outlook.office365.com/.default` for the worldwide cloud ("You must use https://outlook.office365.com/.default
 * in the scope property", https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections);
 * it documents no national-cloud value, so those use their own Outlook resource, as their delegated scopes do.
 */
export function exchangeAppScope(endpoints: CloudEndpoints): string {
  const resource = endpoints.cloud === 'global' ? 'https://outlook.office365.com' : endpoints.scopeResource;
  return `${resource}/.default`;
}

/** Delegated permissions the product asks for; msal adds nothing else of its own beyond the OIDC ones. */
export function mailScopes(endpoints: CloudEndpoints): string[] {
  const resource = endpoints.scopeResource;
  return ['openid', 'email', 'profile', 'offline_access', `${resource}/IMAP.AccessAsUser.All`, `${resource}/SMTP.Send`];
}

export function authorityUrl(endpoints: CloudEndpoints, tenant: string): string {
  return `https://${endpoints.authorityHost}/${encodeURIComponent(tenant)}`;
}

/**
 * msal's `authorityMetadata`: with it msal skips the OpenID discovery request, and its URLs may point at a
 * different origin (plain http on loopback) than the authority string.
 */
export function authorityMetadata(endpoints: CloudEndpoints, tenant: string): string {
  const base = `${endpoints.loginBaseUrl}/${encodeURIComponent(tenant)}`;
  return JSON.stringify({
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: jwksUrl(endpoints, tenant),
    // Microsoft publishes the multi-tenant issuer as a template; the real check happens on the id token's tid.
    issuer: `${endpoints.loginBaseUrl}/{tenantid}/v2.0`,
  });
}

/** msal's `cloudDiscoveryMetadata`: the instance-discovery answer, so msal never calls that endpoint. */
export function cloudDiscoveryMetadata(endpoints: CloudEndpoints): string {
  const host = endpoints.authorityHost;
  return JSON.stringify({
    tenant_discovery_endpoint: `https://${host}/common/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

export function expectedIssuer(endpoints: CloudEndpoints, tenantIdClaim: string): string {
  return `${endpoints.loginBaseUrl}/${tenantIdClaim}/v2.0`;
}

export function jwksUrl(endpoints: CloudEndpoints, tenant: string): string {
  return `${endpoints.loginBaseUrl}/${encodeURIComponent(tenant)}/discovery/v2.0/keys`;
}

export interface AdminConsentParams {
  tenant: string;
  clientId: string;
  redirectUri: string;
  state: string;
}

export function adminConsentUrl(endpoints: CloudEndpoints, params: AdminConsentParams): string {
  const url = new URL(`${endpoints.loginBaseUrl}/${encodeURIComponent(params.tenant)}/v2.0/adminconsent`);
  url.searchParams.set('client_id', params.clientId);
  // `.default` asks for every permission configured on the app registration (the six delegated ones).
  url.searchParams.set('scope', `${endpoints.scopeResource}/.default`);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('state', params.state);
  return url.toString();
}

function loginOrigin(loginUrl: string): string {
  // The tenant is the first path segment msal rewrites; a prefix would shift it.
  return httpOrigin(loginUrl, 'Login URL');
}

/** Graph's request paths start with the version (`/v1.0/...`), so an override is an origin as the login one is. */
function httpOrigin(value: string, what: string): string {
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${what} must be http(s), got ${url.protocol}`);
  }
  if (url.pathname !== '/' && url.pathname !== '') throw new Error(`${what} must be an origin without a path`);
  return url.origin;
}
