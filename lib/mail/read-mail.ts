import { createHash, randomBytes } from 'node:crypto';
import {
  MailParser,
  type Attachment,
  type AttachmentStream,
  type MailParserOptions,
  type MessageText,
  type ParsedMail,
} from 'mailparser';
import { findOpaqueBodies, type OpaqueBody } from '@/lib/mail/opaque-parts';

/** An attachment whose decoded bytes were dropped once its size and checksum were known, unless asked for. */
export type ReadAttachment = Omit<Attachment, 'content'> & { content: Buffer | null };
export type ReadMail = Omit<ParsedMail, 'attachments'> & { attachments: ReadAttachment[] };

const FEED_SLICE_BYTES = 256 * 1024;
const HEADER_FIELDS = [
  'subject',
  'references',
  'date',
  'to',
  'from',
  'cc',
  'bcc',
  'message-id',
  'in-reply-to',
  'reply-to',
];

/**
 * mailparser's simpleParser (3.14, as with `keepCidLinks`) without buffering every attachment: each attachment
 * streams through mailparser's size and checksum, and its bytes are kept only when `keep` accepts its checksum.
 * The raw source is the stored copy, so syncing a message with 25 MB of attachments holds no second copy.
 */
export function readMail(
  source: Buffer,
  options: MailParserOptions,
  keep?: (checksum: string) => boolean,
): Promise<ReadMail> {
  return new Promise((resolve, reject) => {
    // MailParser may emit a non-fatal 'error' and still reach 'end': the first outcome wins.
    let settled = false;
    const settle = (error: unknown, mail?: ReadMail) => {
      if (settled) return;
      settled = true;
      if (mail) resolve(mail);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const mail = { attachments: [] as ReadAttachment[] } as unknown as ReadMail;
    const fields = mail as unknown as Record<string, unknown>;
    // cid: links stay as they are (simpleParser's keepCidLinks): MailParser itself never rewrites them.
    const parser = new MailParser(options);
    parser.on('error', settle);
    parser.on('headers', (headers) => {
      mail.headers = headers;
      mail.headerLines = parser.headerLines || [];
    });
    let reading = false;
    const read = () => {
      reading = true;
      const data = parser.read() as AttachmentStream | MessageText | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        for (const key of ['text', 'html', 'textAsHtml', 'textConversionError'] as const)
          if (key in data) fields[key] = data[key];
        read();
        return;
      }
      const attachment = data;
      const chunks: Buffer[] | null = keep ? [] : null;
      attachment.content.on('data', (chunk: Buffer) => chunks?.push(chunk));
      attachment.content.once('error', settle);
      attachment.content.once('end', () => {
        const checksum = attachment.checksum ?? '';
        const content = chunks && keep?.(checksum) ? Buffer.concat(chunks) : null;
        mail.attachments.push({ ...attachment, content, release: null, checksum, size: attachment.size ?? 0 });
        attachment.release?.();
        read();
      });
    };
    parser.on('readable', () => {
      if (!reading) read();
    });
    parser.on('end', () => {
      for (const key of HEADER_FIELDS) {
        if (mail.headers?.has(key))
          fields[key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = mail.headers.get(key);
      }
      settle(null, mail);
    });
    void feed(parser, source, () => settled);
  });
}

/**
 * readMail with the body of each base64 attachment swapped for a short marker before mailparser sees it: the
 * attachment's size and checksum are taken from the body directly (opaque-parts.ts). The result is used only
 * when each marker came back as exactly one whole attachment and nowhere in the text; otherwise the message is
 * read in full, as readMail would.
 */
export async function readMailSkippingAttachments(source: Buffer, options: MailParserOptions): Promise<ReadMail> {
  const bodies = findOpaqueBodies(source);
  return (bodies.length > 0 ? await readWithMarkers(source, bodies, options) : null) ?? readMail(source, options);
}

/** The read with `bodies` swapped for markers, or null when mailparser did not see them as whole attachments. */
export async function readWithMarkers(
  source: Buffer,
  bodies: OpaqueBody[],
  options: MailParserOptions,
): Promise<ReadMail | null> {
  const nonce = randomBytes(12).toString('hex');
  const markers = bodies.map((_, i) => Buffer.from(`mailgate skipped attachment ${nonce} ${i}`));
  const pieces: Buffer[] = [];
  let at = 0;
  bodies.forEach((body, i) => {
    pieces.push(
      source.subarray(at, body.start),
      Buffer.from(`${(markers[i] as Buffer).toString('base64')}\r\n`, 'latin1'),
    );
    at = body.end;
  });
  pieces.push(source.subarray(at));
  let mail: ReadMail;
  try {
    mail = await readMail(Buffer.concat(pieces), options);
  } catch {
    return null;
  }
  const markerIndex = new Map(markers.map((marker, i) => [createHash('sha256').update(marker).digest('hex'), i]));
  const matched = new Set<number>();
  for (const attachment of mail.attachments) {
    const i = markerIndex.get(attachment.checksum);
    const body = i === undefined ? undefined : bodies[i];
    if (i === undefined || !body) continue;
    if (matched.has(i)) return null;
    matched.add(i);
    attachment.size = body.size;
    attachment.checksum = body.checksum;
  }
  const leaked = [mail.text, mail.html].some((value) => typeof value === 'string' && value.includes(nonce));
  return matched.size === bodies.length && !leaked ? mail : null;
}

/**
 * Writes the source in slices, waiting whenever the parser is behind: written at once, a 35 MB source is split
 * into lines and queued through every stage of mailparser before the first part is consumed.
 */
async function feed(parser: MailParser, source: Buffer, stopped: () => boolean): Promise<void> {
  for (let at = 0; at < source.length && !stopped(); at += FEED_SLICE_BYTES) {
    if (!parser.write(source.subarray(at, at + FEED_SLICE_BYTES))) {
      await new Promise<void>((resolve) => {
        const done = () => {
          parser.off('drain', done).off('error', done).off('close', done);
          resolve();
        };
        parser.once('drain', done).once('error', done).once('close', done);
      });
    }
  }
  if (!stopped()) parser.end();
}
