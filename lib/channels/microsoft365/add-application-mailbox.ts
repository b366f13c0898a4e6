import 'server-only';
import { z } from 'zod';
import { loadAppWithSecret } from '@/lib/channels/microsoft365/app-credentials';
import { saveConnectedMailbox } from '@/lib/channels/microsoft365/connected-mailbox';
import { endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import { proveGraphAccess } from '@/lib/channels/microsoft365/prove-graph-access';
import type { Db } from '@/lib/db/types';
import { fail, type Failure, type Result } from '@/lib/errors';
import { appTokenSource } from '@/lib/microsoft/app-token';
import type { ExplainedError } from '@/lib/microsoft/errors';

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
 * Adds a mailbox the app opens with its own client-credentials token: the Inbox must answer through Graph first
 * (missing admin consent, a mailbox outside the app's RBAC for Applications scope, an unknown address or one
 * without an Exchange Online mailbox are explained and nothing is stored).
 */
export async function addApplicationMailbox(
  db: Db,
  admin: { id: string; email: string },
  address: string,
): Promise<AddApplicationMailboxResult> {
  const app = await loadAppWithSecret(db);
  if (!app) return fail('app.missing', 'Save the Microsoft 365 app credentials before adding a mailbox.');
  if (app.access !== 'application' || app.transport !== 'graph')
    return fail(
      'app.application_access',
      'The app uses delegated access: connect mailboxes with a sign-in, or switch the app to application access.',
    );
  const endpoints = endpointsFor(app.cloud);
  const token = appTokenSource({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    tenant: app.tenant,
    endpoints,
  });
  const proof = await proveGraphAccess(endpoints, { address, token, personal: false, access: 'application' });
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
    transport: 'graph',
    access: 'application',
    smtpWarning: null,
  });
  return { ok: true, accountId: account.id };
}
