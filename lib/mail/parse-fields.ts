/**
 * Turning parsed values into what Postgres and the console can safely hold: no NULs, bounded lengths,
 * display-safe file names, dates that are real.
 */
import type { AddressObject, EmailAddress } from 'mailparser';
import { DECEPTIVE_CHARACTERS } from '@/lib/format/visible-text';

/** Postgres rejects U+0000 in text and jsonb (22021), which would fail a whole batch insert. */
export function stripNul(value: string): string {
  return value.includes('\u0000') ? value.replace(/\u0000/g, '') : value;
}

/** NUL-free, trimmed, at most `maxChars` (whole code points), or null when nothing is left. */
export function cleanHeaderValue(value: string | undefined | null, maxChars: number): string | null {
  if (typeof value !== 'string') return null;
  const cleaned = clipChars(stripNul(value).trim(), maxChars);
  return cleaned === '' ? null : cleaned;
}

export function clipChars(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  const cut = value.slice(0, maxChars);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut; // never leave half a surrogate pair
}

/** Cuts to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): { value: string; truncated: boolean } {
  if (value.length <= maxBytes / 3 || Buffer.byteLength(value, 'utf8') <= maxBytes) return { value, truncated: false };
  const bytes = Buffer.from(value, 'utf8');
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // step back to the start of a character
  return { value: bytes.toString('utf8', 0, end), truncated: true };
}

/** Addresses as 'Name <address>', or the bare address when there is no name; groups are flattened to members. */
export function formatAddresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return objects.flatMap((object) => object.value.flatMap(formatMailbox));
}

function formatMailbox(entry: EmailAddress): string[] {
  if (entry.group) return entry.group.flatMap(formatMailbox);
  const name = stripNul(entry.name ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const address = stripNul(entry.address ?? '').trim();
  const formatted = !address ? name : name && name !== address ? `${name} <${address}>` : address;
  return formatted ? [clipChars(formatted, 998)] : [];
}

/**
 * The Date header as a date, or null. mailparser turns an unparseable header into "now", and V8 reads some
 * garbage as a date ("foo 2" is 2001-02-01), so a value must carry a time of day, as RFC 5322 dates do, and a
 * year Postgres and the UI can hold.
 */
export function parseDateHeader(value: string | null): Date | null {
  if (!value || !/\d{1,2}:\d{2}/.test(value)) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const year = date.getUTCFullYear();
  return year >= 1 && year <= 9999 ? date : null;
}

const MAX_FILENAME_CHARS = 200;

/**
 * A file name safe to display and offer for download: the last path segment only (`../../etc/passwd` →
 * `passwd`, `C:\evil.exe` → `evil.exe`), no control or bidi-override characters (U+202E makes "gpj.exe" look
 * like "exe.jpg"), no characters Windows refuses, no leading dots, at most 200 characters keeping the extension.
 */
export function sanitizeFilename(name: string | undefined | null): string | null {
  if (!name) return null;
  let safe = name
    .replace(DECEPTIVE_CHARACTERS, '')
    .split(/[/\\]/)
    .pop()!
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+/, '')
    .replace(/[\s.]+$/, '');
  if (Array.from(safe).length > MAX_FILENAME_CHARS) {
    const dot = safe.lastIndexOf('.');
    const extension = dot > 0 && safe.length - dot <= 16 ? safe.slice(dot) : '';
    const stem = Array.from(safe.slice(0, safe.length - extension.length)).slice(
      0,
      MAX_FILENAME_CHARS - extension.length,
    );
    safe = stem.join('').trimEnd() + extension;
  }
  return safe === '' ? null : safe;
}

const SNIPPET_CHARS = 200;

/** The first ~200 characters of the body, whitespace collapsed, invisible preheader padding dropped. */
export function makeSnippet(text: string | null, html: string | null): string {
  const source = text?.trim() ? text.slice(0, 4 * SNIPPET_CHARS) : html ? htmlToPlain(html.slice(0, 64 * 1024)) : '';
  const collapsed = source
    .replace(/[\u00ad\u034f\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return clipChars(collapsed, SNIPPET_CHARS);
}

/** Rough HTML to text for a snippet only (mailparser already converted full bodies where it could). */
function htmlToPlain(html: string): string {
  return html
    .replace(/<(head|style|script|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#0*39;|&apos;/gi, "'")
    .replace(/&#(\d{1,7});/g, (_, code: string) => safeCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, code: string) => safeCodePoint(parseInt(code, 16)))
    .replace(/&amp;/gi, '&');
}

function safeCodePoint(code: number): string {
  return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : ' ';
}
