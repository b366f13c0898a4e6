import 'server-only';
import { getEnv } from '@/lib/config/env';
import { cloudEndpoints, type CloudEndpoints, type CloudName, type EndpointOverrides } from '@/lib/microsoft/clouds';

/** Deployment-level custom endpoints (the local stand-in); empty in a normal deployment. */
export function endpointOverridesFromEnv(): EndpointOverrides {
  const env = getEnv();
  return {
    loginUrl: env.MICROSOFT_LOGIN_URL,
    imapHost: env.MICROSOFT_IMAP_HOST,
    imapPort: env.MICROSOFT_IMAP_PORT,
    imapTls: env.MICROSOFT_IMAP_TLS,
    smtpHost: env.MICROSOFT_SMTP_HOST,
    smtpPort: env.MICROSOFT_SMTP_PORT,
    smtpSecurity: env.MICROSOFT_SMTP_SECURITY,
    graphUrl: env.MICROSOFT_GRAPH_URL,
  };
}

export function endpointsFor(cloud: CloudName): CloudEndpoints {
  return cloudEndpoints(cloud, endpointOverridesFromEnv());
}

export const CALLBACK_PATH = '/api/v1/external_credentials/microsoft365/callback';

export function callbackUrl(baseUrl: string): string {
  return `${baseUrl}${CALLBACK_PATH}`;
}
