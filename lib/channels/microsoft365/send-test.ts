import 'server-only';
import { z } from 'zod';
import { acquireMailAccess, TokenError } from '@/lib/channels/microsoft365/tokens';
import type { Db } from '@/lib/db/types';
import type { Result } from '@/lib/errors';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import { plainMessageOptions } from '@/lib/mail/compose';
import { createSmtpTransport } from '@/lib/mail/smtp';
import { explainSmtpError, type ExplainedError } from '@/lib/microsoft/errors';
import { isPersonalAccount } from '@/lib/microsoft/mailbox-identity';

export const testMessageSchema = z.object({
  to: z.email('Enter the recipient’s e-mail address.').max(254, 'Use an e-mail address of at most 254 characters.'),
  subject: z
    .string('Enter a subject.')
    .trim()
    .min(1, 'Enter a subject.')
    .max(200, 'Keep the subject under 200 characters.'),
  body: z.string().max(10_000, 'Keep the text under 10,000 characters.').default(''),
});

export type TestMessage = z.infer<typeof testMessageSchema>;
export type SendResult = Result<{ messageId: string; durationMs: number }, ExplainedError>;

/**
 * Sends one message over SMTP with XOAUTH2 and a fresh token. A shared mailbox authenticates as its delegate
 * and sends From the shared address (Exchange requires Send As for that). Nothing is stored as received: a
 * message appears in the console only if it arrives by sync.
 */
export async function sendFromMailbox(
  db: Db,
  admin: { id: string; email: string },
  accountId: string,
  message: TestMessage,
  /** Extra header fields the product sets (the mail-flow check marks its messages with one). */
  headers: Record<string, string> = {},
): Promise<SendResult> {
  const account = await findAccount(db, accountId);
  if (!account || account.removedAt) return { ok: false, error: missing() };
  const started = Date.now();
  let result: SendResult;
  try {
    const access = await acquireMailAccess(db, accountId);
    const transport = createSmtpTransport({
      ...access.endpoints.smtp,
      user: access.signInAddress,
      accessToken: access.accessToken,
    });
    try {
      const info = await transport.sendMail(plainMessageOptions(account.emailAddress, message, headers));
      result = { ok: true, messageId: info.messageId, durationMs: Date.now() - started };
    } finally {
      transport.close();
    }
  } catch (error) {
    const explained =
      error instanceof TokenError
        ? error.explained
        : explainSmtpError(error, {
            mailbox: account.signInAddress,
            imapUser: account.imapUser,
            fromAddress: account.emailAddress,
            personal: isPersonalAccount(account.tenantId),
          });
    result = { ok: false, error: explained };
  }
  await recordAuditEvent(db, {
    adminId: admin.id,
    adminEmail: admin.email,
    action: result.ok ? 'message.sent' : 'message.send_failed',
    accountId,
    target: message.to,
    details: result.ok ? { subject: message.subject } : { subject: message.subject, error: result.error.code },
  });
  return result;
}

const missing = (): ExplainedError => ({
  code: 'account.missing',
  title: 'That mailbox no longer exists.',
  explanation: 'It was removed.',
  action: 'Choose another mailbox.',
  whoActs: 'console_admin',
  scope: 'config',
});
