import { type SimpleParserOptions } from 'mailparser';
import { findHeaderEnd, headerBlock, mimeNestingDepth, withLineFeeds } from '@/lib/mail/mime-structure';
import {
  cleanHeaderValue,
  formatAddresses,
  makeSnippet,
  parseDateHeader,
  sanitizeFilename,
  stripNul,
  truncateUtf8,
} from '@/lib/mail/parse-fields';
import { readMail, readMailSkippingAttachments, type ReadAttachment, type ReadMail } from '@/lib/mail/read-mail';

/**
 * One raw RFC 5322 message turned into the row we store. Never throws: the caller keeps the raw source
 * byte-exact, so a message this cannot read is stored with `parseError` and whatever its headers gave.
 */

export interface ParsedAttachment {
  /** Sanitized for display and download: no path, control characters or leading dots; at most 200 characters. */
  filename: string | null;
  /** As the message named it (NULs removed). */
  originalFilename: string | null;
  contentType: string;
  size: number;
  /** Without angle brackets, as `cid:` URLs in the HTML refer to it. */
  contentId: string | null;
  /** Shown inside the body (an embedded image), not offered as a separate file. */
  inline: boolean;
  /** sha256 of the decoded bytes, hex: the bytes themselves are decoded again from the source when downloaded. */
  checksum: string;
}

export interface ParsedMessage {
  /** With angle brackets, as in the header. */
  messageId: string | null;
  inReplyTo: string | null;
  subject: string | null;
  /** Addresses are 'Name <address>' or the bare address; groups are flattened into their members. */
  from: string | null;
  to: string[];
  cc: string[];
  replyTo: string[];
  /** Null when the Date header is missing or unreadable; `dateHeader` then still has what it said. */
  date: Date | null;
  dateHeader: string | null;
  text: string | null;
  html: string | null;
  /** True when `text` or `html` was cut to the configured limit; the raw source has it all. */
  bodyTruncated: boolean;
  snippet: string;
  /** True when there is at least one attachment that is not inline. */
  hasAttachments: boolean;
  attachments: ParsedAttachment[];
  /** Unfolded raw values of a few headers worth keeping for threading and auto-reply detection (`KEPT_HEADERS`). */
  headers: Record<string, string>;
  parseError: string | null;
}

export interface ParseOptions {
  maxHtmlBytes?: number;
  maxTextBytes?: number;
}

export const DEFAULT_MAX_TEXT_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_HTML_BYTES = 5 * 1024 * 1024;
/** Deeper than any real mail (forwards of forwards reach a few dozen); mailparser recurses per level. */
export const MAX_NESTING_DEPTH = 100;
const MAX_HEADER_BLOCK_BYTES = 512 * 1024;
// With the bytes bound, keeps mailparser's header cost (at least 64 per line) under its 1 MB limit.
const MAX_HEADER_BLOCK_LINES = 7_000;

const PARSER_OPTIONS: SimpleParserOptions = {
  maxChildNodes: 10_000, // the default 1,000 rejects real messages (big digests, many attachments)
  keepCidLinks: true, // data: URLs would copy every inline image into `html`; attachments are stored once
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: 'sha256',
  maxHtmlLengthToParse: 4 * 1024 * 1024, // html-to-text on a larger body costs seconds; the HTML is kept anyway
};

export const KEPT_HEADERS = [
  'references',
  'thread-index',
  'thread-topic',
  'sender',
  'return-path',
  'delivered-to',
  'list-id',
  'list-unsubscribe',
  'auto-submitted',
  'precedence',
  'x-auto-response-suppress',
  'x-autoreply',
  'x-autorespond',
  'importance',
  'x-priority',
] as const;

export async function parseMessage(raw: Buffer, options: ParseOptions = {}): Promise<ParsedMessage> {
  if (!Buffer.isBuffer(raw)) return emptyMessage('The message source is not a Buffer.');
  if (raw.length === 0) return emptyMessage('The message is empty.');
  const source = withLineFeeds(raw);
  if (mimeNestingDepth(source, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) {
    return withError(
      await headersOnly(source),
      `MIME parts are nested more than ${MAX_NESTING_DEPTH} levels deep; only the headers were read.`,
    );
  }
  try {
    const mail = await readMailSkippingAttachments(source, PARSER_OPTIONS);
    return toParsedMessage(mail, source, {
      maxTextBytes: options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES,
      maxHtmlBytes: options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES,
    });
  } catch (error) {
    return withError(await headersOnly(source), `The message could not be parsed: ${describe(error)}`);
  }
}

/**
 * The decoded bytes of the attachment stored with this sha256, read again from the message's source (the one
 * stored copy), or null when the source no longer yields it. Equal checksums mean equal bytes, so the first wins.
 */
export async function extractAttachment(raw: Buffer, checksum: string): Promise<Buffer | null> {
  // Read exactly as parseMessage read it when the checksum was taken.
  const source = withLineFeeds(raw);
  if (mimeNestingDepth(source, MAX_NESTING_DEPTH) > MAX_NESTING_DEPTH) return null;
  let kept = false;
  const keep = (candidate: string) => !kept && candidate === checksum && (kept = true);
  try {
    const mail = await readMail(source, PARSER_OPTIONS, keep);
    return mail.attachments.find((attachment) => attachment.content !== null)?.content ?? null;
  } catch {
    return null;
  }
}

/** For oversize messages: only the header block (everything before the first empty line) is read. */
export async function headersOnly(source: Buffer): Promise<ParsedMessage> {
  if (!Buffer.isBuffer(source)) return emptyMessage('The message source is not a Buffer.');
  try {
    const block = headerBlock(withLineFeeds(source), MAX_HEADER_BLOCK_BYTES, MAX_HEADER_BLOCK_LINES);
    const mail = await readMail(Buffer.concat([block, Buffer.from('\r\n\r\n')]), PARSER_OPTIONS);
    const limits = { maxTextBytes: DEFAULT_MAX_TEXT_BYTES, maxHtmlBytes: DEFAULT_MAX_HTML_BYTES };
    return { ...toParsedMessage(mail, null, limits), text: null, html: null, bodyTruncated: false, snippet: '' };
  } catch (error) {
    return emptyMessage(`The message headers could not be parsed: ${describe(error)}`);
  }
}

function toParsedMessage(mail: ReadMail, source: Buffer | null, limits: Required<ParseOptions>): ParsedMessage {
  const text = truncateUtf8(stripNul(mail.text ?? ''), limits.maxTextBytes);
  const html = truncateUtf8(stripNul(typeof mail.html === 'string' ? mail.html : ''), limits.maxHtmlBytes);
  const attachments = mail.attachments.map(toParsedAttachment);
  const dateHeader = cleanHeaderValue(rawHeader(mail, 'date'), 200);
  const parsed: ParsedMessage = {
    messageId: cleanHeaderValue(mail.messageId, 998), // bounded: a btree index entry must stay under ~2.7 kB
    inReplyTo: cleanHeaderValue(mail.inReplyTo, 998),
    subject: cleanHeaderValue(mail.subject, 2000),
    from: formatAddresses(mail.from)[0] ?? null,
    to: formatAddresses(mail.to),
    cc: formatAddresses(mail.cc),
    replyTo: formatAddresses(mail.replyTo),
    date: parseDateHeader(dateHeader),
    dateHeader,
    text: text.value || null,
    html: html.value || null,
    bodyTruncated: text.truncated || html.truncated,
    snippet: '',
    hasAttachments: attachments.some((attachment) => !attachment.inline),
    attachments,
    headers: keptHeaders(mail),
    parseError: null,
  };
  if (source && !parsed.text && !parsed.html && attachments.length === 0 && isMultipart(mail)) {
    // The boundary never matched (or was missing): mailparser then sees no parts at all. Show the raw body
    // rather than nothing; it is readable text more often than not.
    const { bodyStart } = findHeaderEnd(source);
    const body = truncateUtf8(
      stripNul(source.subarray(bodyStart, bodyStart + limits.maxTextBytes + 4).toString('utf8')).trim(),
      limits.maxTextBytes,
    );
    if (body.value) {
      parsed.text = body.value;
      parsed.parseError = 'The multipart structure could not be read (boundary mismatch?); the text is the raw body.';
    }
  }
  parsed.snippet = makeSnippet(parsed.text, parsed.html);
  return parsed;
}

function toParsedAttachment(attachment: ReadAttachment): ParsedAttachment {
  const disposition = attachment.contentDisposition?.toLowerCase();
  const contentId = cleanHeaderValue(attachment.cid, 998);
  return {
    filename: sanitizeFilename(attachment.filename),
    originalFilename: cleanHeaderValue(attachment.filename, 1000),
    contentType: cleanHeaderValue(attachment.contentType, 255)?.toLowerCase() ?? 'application/octet-stream',
    size: attachment.size,
    contentId,
    // An explicit "attachment" wins; otherwise a part with a Content-ID that is inline or inside
    // multipart/related is an embedded image. An inline part without Content-ID (Apple Mail's PDFs) is a file.
    inline:
      contentId !== null && disposition !== 'attachment' && (disposition === 'inline' || attachment.related === true),
    checksum: attachment.checksum,
  };
}

/** The unfolded raw value of the first `name` header, decoded as UTF-8 like mailparser does. */
function rawHeader(mail: ReadMail, name: string): string | undefined {
  const line = mail.headerLines.find((header) => header.key === name)?.line;
  if (line === undefined) return undefined;
  const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '');
  return Buffer.from(value, 'latin1').toString('utf8');
}

function keptHeaders(mail: ReadMail): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = cleanHeaderValue(rawHeader(mail, name), 2000);
    if (value !== null) kept[name] = value;
  }
  return kept;
}

function isMultipart(mail: ReadMail): boolean {
  return /^\s*multipart\//i.test(rawHeader(mail, 'content-type') ?? '');
}

function withError(message: ParsedMessage, parseError: string): ParsedMessage {
  return { ...message, parseError: message.parseError ? `${parseError} ${message.parseError}` : parseError };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return stripNul(message).slice(0, 500);
}

function emptyMessage(parseError: string): ParsedMessage {
  return {
    messageId: null,
    inReplyTo: null,
    subject: null,
    from: null,
    to: [],
    cc: [],
    replyTo: [],
    date: null,
    dateHeader: null,
    text: null,
    html: null,
    bodyTruncated: false,
    snippet: '',
    hasAttachments: false,
    attachments: [],
    headers: {},
    parseError,
  };
}
