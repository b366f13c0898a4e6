import 'server-only';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import {
  acquireAccountAccess,
  TokenError,
  type GraphAccess,
  type MailAccess,
} from '@/lib/channels/microsoft365/tokens';
import type { Db } from '@/lib/db/types';
import type { Result } from '@/lib/errors';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import { composeMime, plainMessageOptions } from '@/lib/mail/compose';
import { createSmtpTransport } from '@/lib/mail/smtp';
import { explainSmtpError, type ExplainedError } from '@/lib/microsoft/errors';
import { createGraphClient } from '@/lib/microsoft/graph/client';
import { explainGraphSendFailure } from '@/lib/microsoft/graph/explain-send';
import { GraphFailure } from '@/lib/microsoft/graph/failure';
import { sendMimeThroughGraph } from '@/lib/microsoft/graph/send-mail';
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
 * Sends one message the way the mailbox was connected: over SMTP with XOAUTH2 and a fresh token, or as MIME
 * through Graph's sendMail. A shared mailbox sends From the shared address (Exchange requires Send As for that;
 * over SMTP it authenticates as its delegate). Nothing is stored as received: a message appears in the console
 * only if it arrives by sync.
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
    const access = await acquireAccountAccess(db, accountId);
    const options = plainMessageOptions(account.emailAddress, message, headers);
    const messageId =
      access.transport === 'imap'
        ? await sendOverSmtp(access.mail, options)
        : await sendThroughGraph(access.graph, options);
    result = { ok: true, messageId, durationMs: Date.now() - started };
  } catch (error) {
    const context = {
      mailbox: account.emailAddress,
      fromAddress: account.emailAddress,
      personal: isPersonalAccount(account.tenantId),
    };
    const explained =
      error instanceof TokenError
        ? error.explained
        : error instanceof GraphFailure
          ? explainGraphSendFailure(error, context)
          : explainSmtpError(error, {
              mailbox: account.signInAddress,
              imapUser: account.imapUser,
              fromAddress: account.emailAddress,
              personal: isPersonalAccount(account.tenantId),
              application: account.access === 'application',
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

type MessageOptions = ReturnType<typeof plainMessageOptions>;

async function sendOverSmtp(access: MailAccess, options: MessageOptions): Promise<string> {
  const transport = createSmtpTransport({
    ...access.endpoints.smtp,
    user: access.signInAddress,
    accessToken: access.accessToken,
  });
  try {
    return (await transport.sendMail(options)).messageId;
  } finally {
    transport.close();
  }
}

/** Graph answers 202 without an id: the Message-ID is set here, as nodemailer does for SMTP. */
async function sendThroughGraph(access: GraphAccess, options: MessageOptions): Promise<string> {
  const domain = access.mailbox.split('@')[1] ?? 'mailgate365.invalid';
  const messageId = `<${randomUUID()}@${domain}>`;
  const mime = await composeMime({ ...options, messageId });
  const client = createGraphClient({ baseUrl: access.endpoints.graphBaseUrl, token: access.token, maxRetries: 2 });
  await sendMimeThroughGraph(client, { mailbox: access.mailbox, mime });
  return messageId;
}

const missing = (): ExplainedError => ({
  code: 'account.missing',
  title: 'That mailbox no longer exists.',
  explanation: 'It was removed.',
  action: 'Choose another mailbox.',
  whoActs: 'console_admin',
  scope: 'config',
});
