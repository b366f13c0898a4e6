import 'server-only';
import { endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import type { CloudName } from '@/lib/microsoft/clouds';
import { explainMsalError } from '@/lib/microsoft/errors';
import { createMsalClient } from '@/lib/microsoft/msal-client';

export type CredentialField = 'clientId' | 'clientSecret' | 'tenant';

/** What Microsoft said about a client ID, secret and tenant before they are saved. */
export type CredentialCheck =
  | { result: 'accepted'; note: string }
  | { result: 'refused'; field: CredentialField; message: string }
  | { result: 'unchecked'; note: string };

/**
 * Answers that prove a credential wrong, and the field the admin must fix. A client-credentials token request
 * gives them without any user signing in (https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes):
 * AADSTS7000215 invalid client secret, 7000222 expired secret, 700016 app not found in the directory,
 * 90002 tenant not found.
 */
const REFUSALS: Record<string, { field: CredentialField; message: (tenant: string) => string }> = {
  AADSTS7000215: {
    field: 'clientSecret',
    message: () =>
      'Microsoft says this is not a valid secret of this app (AADSTS7000215). Paste the secret’s Value, not its Secret ID.',
  },
  AADSTS7000222: {
    field: 'clientSecret',
    message: () =>
      'Microsoft says this secret has expired (AADSTS7000222). Create a new one in Azure under Certificates & secrets.',
  },
  AADSTS700016: {
    field: 'clientId',
    message: (tenant) =>
      `Microsoft finds no app with this client ID in the directory ${tenant} (AADSTS700016). Compare it with Application (client) ID on the app’s Overview page, and check the tenant.`,
  },
  AADSTS90002: {
    field: 'tenant',
    message: (tenant) =>
      `Microsoft knows no directory ${tenant} in this cloud (AADSTS90002). Copy Directory (tenant) ID from the app’s Overview page, and check the cloud.`,
  },
};

/**
 * Asks Microsoft for the app's own token (client credentials) at the tenant's token endpoint. Only a single
 * directory can answer: Microsoft refuses the grant on `common`, and `organizations` names no directory to look
 * the app up in (AzureAD/microsoft-authentication-library-for-dotnet#1384), so those are not checked.
 */
export async function checkAppCredentials(input: {
  clientId: string;
  clientSecret: string;
  tenant: string;
  cloud: CloudName;
}): Promise<CredentialCheck> {
  if (input.tenant === 'common' || input.tenant === 'organizations') {
    return {
      result: 'unchecked',
      note: `Not checked: Microsoft only checks an app against one directory, and the tenant “${input.tenant}” names none. The first sign-in of a mailbox will tell whether the client ID and secret are right.`,
    };
  }
  const endpoints = endpointsFor(input.cloud);
  const client = createMsalClient({ ...input, endpoints });
  try {
    await client.acquireTokenByClientCredential({ scopes: [`${endpoints.scopeResource}/.default`] });
    return { result: 'accepted', note: 'Checked with Microsoft: the client ID, secret and tenant belong together.' };
  } catch (error) {
    const explained = explainMsalError(error, { tenant: input.tenant });
    const refusal = REFUSALS[explained.code];
    if (refusal) return { result: 'refused', field: refusal.field, message: refusal.message(input.tenant) };
    return {
      result: 'unchecked',
      note: `Saved without a check: ${explained.title.replace(/\.$/, '')} (${explained.code}).`,
    };
  }
}
