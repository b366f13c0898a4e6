import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

export interface PlainMessage {
  to: string;
  subject: string;
  body: string;
}

/** The product's plain-text message (Send test message, the mail-flow check), the same for every transport. */
export function plainMessageOptions(
  from: string,
  message: PlainMessage,
  headers: Record<string, string>,
): Mail.Options {
  return { from, to: message.to, subject: message.subject, text: message.body, headers };
}

/**
 * The RFC 5322 bytes of a message, built by the same nodemailer composer the SMTP transport uses, for transports
 * that take a finished message (Graph's MIME sendMail). Bcc stays in the header: Graph takes the recipients from
 * the message's headers (https://learn.microsoft.com/en-us/graph/outlook-send-mime-message).
 */
export async function composeMime(mail: Mail.Options): Promise<Buffer> {
  const node = new MailComposer(mail).compile();
  node.keepBcc = true;
  return node.build();
}
