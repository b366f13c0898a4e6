/**
 * `POST /users/{id}/sendMail` with a MIME body (https://learn.microsoft.com/en-us/graph/api/user-sendmail,
 * "send a message in MIME format": `Content-Type: text/plain`, the MIME message base64-encoded, 202 Accepted). An
 * undecodable body is a 400; the docs do not name its code, `ErrorMimeContentInvalidBase64String` is the one
 * client libraries report (not verified against a Microsoft page: treat it as the stand-in's guess). Recipients come from To/Cc/Bcc; each copy lands
 * in the recipient's maildir (as the SMTP stand-in delivers) without the Bcc header, the sender's copy in Sent
 * Items keeps it (https://learn.microsoft.com/en-us/graph/outlook-send-mime-message). Sending as another mailbox
 * without Send As: 403 `ErrorSendAsDenied` (https://learn.microsoft.com/en-us/graph/outlook-send-mail-from-other-user;
 * the text, with its ".," verbatim, from a MIME sendMail in microsoftgraph/msgraph-sdk-php#1499 and docs-contrib#7446).
 * Size: a request body over 4 MB is refused with 413 before anything else (https://learn.microsoft.com/en-us/graph/errors
 * "413 Request Entity Too Large"; 4 MB for sendMail:
 * https://learn.microsoft.com/en-us/answers/questions/1824204/graph-api-user-sendmail-request-size-limit and the MIME
 * note on https://learn.microsoft.com/en-us/graph/api/user-post-messages; code and text "BadRequest", "The maximum
 * request length supported is 4MB." as microsoftgraph/microsoft-graph-docs-contrib#682 and O365/python-o365#472
 * quote them). A message over the mailbox's MaxSendSize (the same `maxSendBytes` the SMTP stand-in enforces): 400
 * `ErrorMessageSizeExceeded` (text as motze92/office365-mail#39 quotes it; limits:
 * https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits).
 */
import type { HarnessUser } from '../emulator/model';
import type { EmulatorState } from '../emulator/state';
import type { Maildirs } from '../maildir';
import { GraphError } from './errors';
import type { Principal } from './principal';
import type { GraphRequest } from './types';

export interface SendMailDelivery {
  maildirs: Maildirs;
  /** What the test can inspect, like the SMTP stand-in's `sent`. */
  sent: Array<{ mailbox: string; recipients: string[]; raw: Buffer }>;
}

const SENT_ITEMS = 'Sent Items';
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;

export async function sendMail(
  state: EmulatorState,
  delivery: SendMailDelivery,
  principal: Principal,
  mailbox: HarnessUser,
  request: GraphRequest,
): Promise<void> {
  if (request.body.length > MAX_REQUEST_BYTES) {
    throw new GraphError(413, 'BadRequest', 'The maximum request length supported is 4MB.');
  }
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('text/plain')) {
    // A JSON message body is Graph's other form; the stand-in serves only the MIME form the product sends.
    throw new GraphError(400, 'ErrorInvalidRequest', 'The stand-in accepts sendMail in MIME format only (text/plain).');
  }
  const text = request.body.toString('latin1').trim();
  const raw = Buffer.from(text, 'base64');
  if (!text || !BASE64.test(text) || raw.length === 0) {
    throw new GraphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
  }
  if (raw.length > mailbox.maxSendBytes) {
    throw new GraphError(
      400,
      'ErrorMessageSizeExceeded',
      'The message exceeds the maximum supported size., Cannot save changes made to an item to store.',
    );
  }
  const headers = headerBlock(raw);
  const from = addresses(headerValues(headers, 'from'))[0] ?? mailbox.address;
  const sender = principal.kind === 'user' ? principal.address : mailbox.address;
  if (!state.directory.maySendAs(mailbox.address, from) || !state.directory.maySendAs(sender, from)) {
    throw new GraphError(
      403,
      'ErrorSendAsDenied',
      'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.',
    );
  }
  const recipients = [
    ...new Set(
      addresses([...headerValues(headers, 'to'), ...headerValues(headers, 'cc'), ...headerValues(headers, 'bcc')]),
    ),
  ];
  if (recipients.length === 0) {
    throw new GraphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
  }
  const delivered = withoutBcc(raw);
  for (const recipient of recipients) {
    const target = state.directory.recipient(recipient);
    if (target) await delivery.maildirs.deliver(target.address, delivered);
  }
  await delivery.maildirs.write(mailbox.address, SENT_ITEMS, [{ raw, flags: ['\\Seen'] }]);
  delivery.sent.push({ mailbox: mailbox.address, recipients, raw });
}

function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

function headerValues(block: string, name: string): string[] {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const prefix = `${name}:`;
  return unfolded
    .split(/\r?\n/)
    .filter((line) => line.toLowerCase().startsWith(prefix))
    .map((line) => line.slice(prefix.length));
}

function addresses(values: string[]): string[] {
  return values.flatMap((v) => v.match(/[^\s<>,;"]+@[^\s<>,;"]+/g) ?? []).map((a) => a.toLowerCase());
}

/** Drops the Bcc field (and its folded continuation lines) from the header; the body is untouched. */
export function withoutBcc(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  const end = match ? match.index : text.length;
  const lines = text.slice(0, end).split(/(?<=\n)/);
  const kept: string[] = [];
  let dropping = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line) && dropping) continue;
    dropping = /^bcc:/i.test(line);
    if (!dropping) kept.push(line);
  }
  return Buffer.concat([
    Buffer.from(kept.join(''), 'latin1'),
    raw.subarray(Buffer.byteLength(text.slice(0, end), 'latin1')),
  ]);
}
