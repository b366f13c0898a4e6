import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';

/**
 * The RFC 5322 bytes of a message, built by the same nodemailer composer the SMTP transport uses, for transports
 * that take a finished message (Graph's MIME sendMail). Bcc stays in the header: Graph reads the recipients from
 * To, Cc and Bcc and removes Bcc from the copies it delivers
 * (https://learn.microsoft.com/en-us/graph/outlook-send-mime-message).
 */
export async function composeMime(mail: Mail.Options): Promise<Buffer> {
  const node = new MailComposer(mail).compile();
  node.keepBcc = true;
  return node.build();
}
