import 'server-only';
import { z } from 'zod';
import { loadAppWithSecret } from '@/lib/channels/microsoft365/app-credentials';
import { saveConnectedMailbox } from '@/lib/channels/microsoft365/connected-mailbox';
import { endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import { proveApplicationImapAccess } from '@/lib/channels/microsoft365/prove-access';
import { proveGraphAccess } from '@/lib/channels/microsoft365/prove-graph-access';
import type { Db } from '@/lib/db/types';
import { fail, type Failure, type Result } from '@/lib/errors';
import { appTokenGrantSource, appTokenSource } from '@/lib/microsoft/app-token';
import { exchangeAppScope, type CloudEndpoints } from '@/lib/microsoft/clouds';
import { ExplainedFault, type ExplainedError } from '@/lib/microsoft/errors';

export const applicationMailboxSchema = z.object({
  mailbox: z
    .email('Enter the mailbox’s e-mail address, e.g. support@contoso.com.')
    .max(254, 'Use an e-mail address of at most 254 characters.')
    .transform((v) => v.toLowerCase()),
});

export type AddApplicationMailboxResult = Result<
  { accountId: string },
  | (Failure<'app.missing' | 'app.application_access'> & { explained?: undefined })
  | { code: 'mailbox.refused'; message: string; explained: ExplainedError }
>;

/** What the home account id of a mailbox opened with the app's own token is: the app, as there is no user. */
export const applicationHomeAccountId = (clientId: string) => `app:${clientId}`;

/**
 * Adds a mailbox the app opens with its own client-credentials token, through the app's transport. Over Graph the
 * Inbox must answer first (missing admin consent, a mailbox outside the app's RBAC for Applications scope, an
 * unknown address or one without an Exchange Online mailbox are explained); over IMAP an XOAUTH2 login as the
 * mailbox must open its Inbox (missing IMAP.AccessAsApp consent, service principal or mailbox permission are
 * explained, naming the Add-MailboxPermission line for this address). On a refusal nothing is stored.
 */
export async function addApplicationMailbox(
  db: Db,
  admin: { id: string; email: string },
  address: string,
): Promise<AddApplicationMailboxResult> {
  const app = await loadAppWithSecret(db);
  if (!app) return fail('app.missing', 'Save the Microsoft 365 app credentials before adding a mailbox.');
  if (app.access !== 'application')
    return fail(
      'app.application_access',
      'The app uses delegated access: connect mailboxes with a sign-in, or switch the app to application access.',
    );
  const endpoints = endpointsFor(app.cloud);
  const credentials = { clientId: app.clientId, clientSecret: app.clientSecret, tenant: app.tenant, endpoints };
  const proof =
    app.transport === 'imap'
      ? await proveOverImap(endpoints, credentials, address)
      : await proveGraphAccess(endpoints, {
          address,
          token: appTokenSource(credentials),
          personal: false,
          access: 'application',
        });
  if (!proof.ok) {
    return { ok: false, error: { code: 'mailbox.refused', message: proof.error.title, explained: proof.error } };
  }
  const account = await saveConnectedMailbox(db, admin, {
    kind: 'user',
    appId: app.id,
    emailAddress: address,
    signInAddress: address,
    displayName: null,
    homeAccountId: applicationHomeAccountId(app.clientId),
    tenantId: app.tenant,
    imapUser: address,
    tokenCacheSealed: null,
    transport: app.transport,
    access: 'application',
    smtpWarning: null,
  });
  return { ok: true, accountId: account.id };
}

/** The Exchange Online app token (a refused token request is explained), then the IMAP login as the mailbox. */
async function proveOverImap(
  endpoints: CloudEndpoints,
  credentials: Omit<Parameters<typeof appTokenGrantSource>[0], 'scope'>,
  address: string,
): Promise<Result<object, ExplainedError>> {
  try {
    const { accessToken } = await appTokenGrantSource({ ...credentials, scope: exchangeAppScope(endpoints) })({
      forceRefresh: false,
    });
    return await proveApplicationImapAccess(endpoints, { address, accessToken });
  } catch (error) {
    if (error instanceof ExplainedFault) return { ok: false, error: error.explained };
    throw error;
  }
}
