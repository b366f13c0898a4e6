import 'server-only';
import type { GraphClient } from '@/lib/microsoft/graph/client';
import { GraphFailure } from '@/lib/microsoft/graph/failure';

/**
 * sendMail's MIME form (https://learn.microsoft.com/en-us/graph/api/user-sendmail, "Request body": the message,
 * base64-encoded, as the body with `Content-Type: text/plain`; "Response": 202 Accepted with no body; a copy goes to
 * Sent Items). Graph sends exactly these bytes, so the message is the product's own, as over SMTP
 * (https://learn.microsoft.com/en-us/graph/outlook-send-mime-message).
 *
 * Graph refuses a request larger than 4 MB with 413 (https://learn.microsoft.com/en-us/graph/errors: "413 Request
 * Entity Too Large: The request size exceeds the maximum limit"; the 4 MB figure for sendMail:
 * https://learn.microsoft.com/en-us/answers/questions/1824204/graph-api-user-sendmail-request-size-limit and, for
 * MIME payloads, the note on https://learn.microsoft.com/en-us/graph/api/user-post-messages). The limit counts the
 * request body, i.e. the base64 text, so a MIME message may have about 3 MB.
 */
export const SEND_MAIL_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface GraphMimeMessage {
  /** The mailbox that sends (user id or address): the message is submitted as it and lands in its Sent Items. */
  mailbox: string;
  /** The complete RFC 5322 message the product composed. From may name another mailbox (Send As / on behalf). */
  mime: Buffer;
}

/** The size of the sendMail request body for a MIME message: its base64 text. */
export function sendMailRequestBytes(mime: Buffer): number {
  return 4 * Math.ceil(mime.length / 3);
}

/**
 * Submits the product's MIME message through `POST /users/{mailbox}/sendMail`. An oversize message fails
 * `message_too_large` before any request; Graph's refusals come back as GraphFailure (explainGraphSendFailure).
 */
export async function sendMimeThroughGraph(client: GraphClient, message: GraphMimeMessage): Promise<void> {
  const size = sendMailRequestBytes(message.mime);
  if (size > SEND_MAIL_MAX_REQUEST_BYTES) {
    throw new GraphFailure(
      'message_too_large',
      'request_too_large',
      `The message needs a ${size}-byte sendMail request; Graph accepts at most ${SEND_MAIL_MAX_REQUEST_BYTES}`,
    );
  }
  const path = `/users/${encodeURIComponent(message.mailbox)}/sendMail`;
  const body = { contentType: 'text/plain', bytes: Buffer.from(message.mime.toString('base64'), 'latin1') };
  const status = await client.post(path, body, { mailbox: message.mailbox });
  if (status !== 202) {
    throw new GraphFailure('invalid_response', 'unexpected_status', `sendMail answered ${status}, not 202 Accepted`, {
      status,
    });
  }
}
