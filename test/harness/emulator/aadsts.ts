/**
 * Microsoft's AADSTS errors as the token and authorize endpoints return them: the OAuth `error`, the HTTP status
 * and the text (wording copied from real responses so the product's error mapping is exercised on real input).
 */
import { randomUUID } from 'node:crypto';

interface CatalogEntry {
  error: string;
  status: number;
  text: string;
}

const CATALOG: Record<number, CatalogEntry> = {
  28000: {
    error: 'invalid_scope',
    status: 400,
    text: 'Provided value for the input parameter scope is not valid because it contains more than one resource. Scope {scope} is not valid.',
  },
  50000: {
    error: 'server_error',
    status: 500,
    text: 'There was an error issuing a token or an issue with our sign-in service.',
  },
  50011: {
    error: 'invalid_request',
    status: 400,
    text: "The redirect URI '{redirectUri}' specified in the request does not match the redirect URIs configured for the application '{clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
  },
  50020: {
    error: 'invalid_request',
    status: 400,
    text: "User account '{user}' from identity provider '{idp}' does not exist in tenant '{tenant}' and cannot access the application '{clientId}'({appName}) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.",
  },
  50058: { error: 'login_required', status: 400, text: 'A silent sign-in request was sent but no user is signed in.' },
  50173: {
    error: 'invalid_grant',
    status: 400,
    text: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '{issued}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{now}'.",
  },
  50194: {
    error: 'invalid_request',
    status: 400,
    text: "Application '{clientId}'({appName}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.",
  },
  50196: {
    error: 'temporarily_unavailable',
    status: 429,
    text: 'The server terminated an operation because it encountered a client request loop. Please contact your app vendor.',
  },
  54005: {
    error: 'invalid_grant',
    status: 400,
    text: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
  },
  65001: {
    error: 'invalid_grant',
    status: 400,
    text: "The user or administrator has not consented to use the application with ID '{clientId}' named '{appName}'. Send an interactive authorization request for this user and resource.",
  },
  65004: { error: 'access_denied', status: 400, text: 'User declined to consent to access the app.' },
  70000: { error: 'invalid_grant', status: 400, text: 'Provided grant is invalid or malformed.' },
  70003: {
    error: 'unsupported_grant_type',
    status: 400,
    text: "The app requested an unsupported grant type '{grantType}'.",
  },
  70008: {
    error: 'invalid_grant',
    status: 400,
    text: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
  },
  70011: {
    error: 'invalid_scope',
    status: 400,
    text: "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' does not exist.",
  },
  90002: {
    error: 'invalid_request',
    status: 400,
    text: "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
  },
  90033: { error: 'temporarily_unavailable', status: 503, text: 'A transient error has occurred. Please try again.' },
  500112: {
    error: 'invalid_grant',
    status: 400,
    text: "The reply address '{redirectUri}' does not match the reply address provided when requesting Authorization code.",
  },
  501481: {
    error: 'invalid_grant',
    status: 400,
    text: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
  },
  700016: {
    error: 'unauthorized_client',
    status: 400,
    text: "Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
  },
  700054: {
    error: 'unsupported_response_type',
    status: 400,
    text: "response_type '{responseType}' is not enabled for the application.",
  },
  700082: {
    error: 'invalid_grant',
    status: 400,
    text: 'The refresh token has expired due to inactivity. The token was issued on {issued} and was inactive for 90.00:00:00.',
  },
  900144: {
    error: 'invalid_request',
    status: 400,
    text: "The request body must contain the following parameter: '{param}'.",
  },
  9001023: {
    error: 'invalid_request',
    status: 400,
    text: 'The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.',
  },
  1002012: {
    error: 'invalid_scope',
    status: 400,
    text: 'The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
  },
  7000215: {
    error: 'invalid_client',
    status: 401,
    text: "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.",
  },
  7000218: {
    error: 'invalid_client',
    status: 401,
    text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  },
  7000222: {
    error: 'invalid_client',
    status: 401,
    text: "The provided client secret keys for app '{clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
  },
  9002313: {
    error: 'invalid_request',
    status: 400,
    text: 'Invalid request. Request is malformed or invalid. {detail}',
  },
  // msal-js#2482 and #3032 quote it verbatim: a code issued to a redirect URI of platform SPA, redeemed by a server.
  9002327: {
    error: 'invalid_request',
    status: 400,
    text: "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
  },
  9002331: {
    error: 'invalid_request',
    status: 400,
    text: "Application '{clientId}'({appName}) is configured for use by Microsoft Account users only. Please use the /consumers endpoint to serve this request.",
  },
};

/** Microsoft adds these so consent problems can be told from other `invalid_grant`s. */
const SUBERRORS: Record<number, string> = { 65001: 'consent_required', 50173: 'bad_token', 700082: 'bad_token' };

export interface AadErrorOverrides {
  status?: number;
  error?: string;
  description?: string;
  retryAfterSeconds?: number;
}

export class AadError extends Error {
  readonly traceId = randomUUID();
  readonly correlationId = randomUUID();
  readonly timestamp = new Date();

  constructor(
    readonly code: number,
    readonly error: string,
    readonly status: number,
    readonly text: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`AADSTS${code}: ${text}`);
  }

  /** Microsoft appends trace, correlation and time to every description; the product must cope with them. */
  get description(): string {
    return `AADSTS${this.code}: ${this.text}\r\nTrace ID: ${this.traceId}\r\nCorrelation ID: ${this.correlationId}\r\nTimestamp: ${microsoftTimestamp(this.timestamp)}`;
  }

  toJson(): Record<string, unknown> {
    const suberror = SUBERRORS[this.code];
    return {
      error: this.error,
      error_description: this.description,
      error_codes: [this.code],
      timestamp: microsoftTimestamp(this.timestamp),
      trace_id: this.traceId,
      correlation_id: this.correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.code}`,
      ...(suberror ? { suberror } : {}),
    };
  }
}

export function aadError(
  code: number,
  params: Record<string, string> = {},
  overrides: AadErrorOverrides = {},
): AadError {
  const entry = CATALOG[code] ?? {
    error: 'invalid_request',
    status: 400,
    text: 'Error injected by the Microsoft 365 stand-in.',
  };
  const text = overrides.description ?? entry.text.replace(/\{(\w+)\}/g, (_, key: string) => params[key] ?? '');
  return new AadError(
    code,
    overrides.error ?? entry.error,
    overrides.status ?? entry.status,
    text.trim(),
    overrides.retryAfterSeconds,
  );
}

function microsoftTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}
