import 'server-only';
import type { ConfidentialClientApplication } from '@azure/msal-node';
import { graphAppScope, type CloudEndpoints } from '@/lib/microsoft/clouds';
import { ExplainedFault, explainMsalError } from '@/lib/microsoft/errors';
import { createMsalClient } from '@/lib/microsoft/msal-client';

export interface AppTokenOptions {
  clientId: string;
  clientSecret: string;
  /**
   * The directory (GUID or verified domain) whose mailboxes the app reads. The client-credentials grant names one
   * tenant: `common` and `organizations` are refused (AADSTS9001023).
   */
  tenant: string;
  endpoints: CloudEndpoints;
  /** The resource's `/.default` scope; Graph's unless given (Exchange Online's for IMAP and SMTP). */
  scope?: string;
}

/** An app token and msal's expiry for it: the IMAP sync renews its sessions before the token runs out. */
export interface AppToken {
  accessToken: string;
  expiresOn: Date | null;
}

/**
 * The app's own token, without a user: the OAuth 2.0 client-credentials grant with a resource's `/.default` scope,
 * which carries the application permissions an administrator granted as `roles`
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow,
 * https://learn.microsoft.com/en-us/graph/auth-v2-service). msal keeps the token in the client's in-memory cache
 * until shortly before it expires, so asking again is cheap; `forceRefresh` skips that cache after the resource
 * refused a token (a revoked grant). Failures throw `ExplainedFault` with the AADSTS advice (a wrong secret is
 * AADSTS7000215, an organisation that never consented to a multi-tenant app AADSTS700016).
 */
export function appTokenGrantSource(
  options: AppTokenOptions,
): (request: { forceRefresh: boolean }) => Promise<AppToken> {
  const client: ConfidentialClientApplication = createMsalClient(options);
  const scopes = [options.scope ?? graphAppScope(options.endpoints)];
  return async ({ forceRefresh }) => {
    try {
      const result = await client.acquireTokenByClientCredential({ scopes, skipCache: forceRefresh });
      if (!result?.accessToken) throw new Error('msal returned no access token');
      return { accessToken: result.accessToken, expiresOn: result.expiresOn ?? null };
    } catch (error) {
      throw new ExplainedFault(explainMsalError(error, { tenant: options.tenant }));
    }
  };
}

/** The access token alone, as the Graph client takes it. */
export function appTokenSource(options: AppTokenOptions): (request: { forceRefresh: boolean }) => Promise<string> {
  const source = appTokenGrantSource(options);
  return async (request) => (await source(request)).accessToken;
}
