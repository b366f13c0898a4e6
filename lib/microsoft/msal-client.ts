import 'server-only';
import { ConfidentialClientApplication, LogLevel, type ICachePlugin } from '@azure/msal-node';
import { authorityMetadata, authorityUrl, cloudDiscoveryMetadata, type CloudEndpoints } from '@/lib/microsoft/clouds';
import { timedNetworkClient } from '@/lib/microsoft/network-client';

export interface MsalClientOptions {
  clientId: string;
  clientSecret: string;
  /** Directory GUID, verified domain, `organizations` or `common`. */
  tenant: string;
  endpoints: CloudEndpoints;
  /** Loads and saves the account's sealed token cache around each msal call. */
  cachePlugin?: ICachePlugin;
}

/**
 * A confidential client that only ever talks to the token endpoint: the authority and instance metadata are
 * given up front, so msal makes neither the OpenID discovery nor the instance discovery request.
 */
export function createMsalClient(options: MsalClientOptions): ConfidentialClientApplication {
  const { endpoints, tenant } = options;
  return new ConfidentialClientApplication({
    auth: {
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      authority: authorityUrl(endpoints, tenant),
      authorityMetadata: authorityMetadata(endpoints, tenant),
      cloudDiscoveryMetadata: cloudDiscoveryMetadata(endpoints),
      knownAuthorities: [endpoints.authorityHost],
    },
    cache: options.cachePlugin ? { cachePlugin: options.cachePlugin } : {},
    system: {
      networkClient: timedNetworkClient(),
      // msal logs URLs with codes and tokens at verbose levels; warnings are enough and carry no PII.
      loggerOptions: { logLevel: LogLevel.Warning, piiLoggingEnabled: false, loggerCallback: () => {} },
    },
  });
}
