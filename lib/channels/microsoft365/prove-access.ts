import 'server-only';
import type { Result } from '@/lib/errors';
import { closeImapConnection, openImapConnection } from '@/lib/mail/imap';
import { verifySmtpLogin } from '@/lib/mail/smtp';
import { explainImapError, explainSmtpError, type ExplainedError } from '@/lib/microsoft/errors';
import type { CloudEndpoints } from '@/lib/microsoft/clouds';
import { isPersonalAccount } from '@/lib/microsoft/mailbox-identity';

export interface AccessProof {
  imap: Result<object, ExplainedError>;
  smtp: Result<object, ExplainedError>;
}

/**
 * A mailbox is only called connected after a real IMAP login with its token (IMAP disabled, missing scope or
 * licence, or no access to a shared mailbox all show up here). SMTP is checked too, but a failure there only
 * warns: receiving works without it.
 */
export async function proveMailboxAccess(
  endpoints: CloudEndpoints,
  login: { imapUser: string; signInAddress: string; accessToken: string; tenantId: string },
): Promise<AccessProof> {
  const context = {
    mailbox: login.signInAddress,
    imapUser: login.imapUser,
    personal: isPersonalAccount(login.tenantId),
  };
  const [imap, smtp] = await Promise.all([
    openImapConnection({ ...endpoints.imap, user: login.imapUser, accessToken: login.accessToken }).then(
      async (client) => {
        await closeImapConnection(client);
        return { ok: true as const };
      },
      (error: unknown) => ({ ok: false as const, error: explainImapError(error, context) }),
    ),
    verifySmtpLogin({ ...endpoints.smtp, user: login.signInAddress, accessToken: login.accessToken }).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error: explainSmtpError(error, context) }),
    ),
  ]);
  return { imap, smtp };
}

/**
 * A mailbox opened with the app's own token is only stored after an IMAP login as that mailbox and an EXAMINE of
 * its Inbox with that token: the missing application permission, consent, service principal or mailbox permission
 * all show up here (Exchange answers each with the same `AUTHENTICATE failed.`, explained with the fix).
 */
export async function proveApplicationImapAccess(
  endpoints: CloudEndpoints,
  login: { address: string; accessToken: string },
): Promise<Result<object, ExplainedError>> {
  const context = { mailbox: login.address, imapUser: login.address, application: true };
  let client: Awaited<ReturnType<typeof openImapConnection>> | undefined;
  try {
    client = await openImapConnection({ ...endpoints.imap, user: login.address, accessToken: login.accessToken });
    await client.mailboxOpen('INBOX', { readOnly: true });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: explainImapError(error, context) };
  } finally {
    if (client) await closeImapConnection(client);
  }
}
