import { sanitizeFilename } from '@/lib/mail/parse-fields';

/**
 * How stored parts leave the server. The content type comes from the sender, so anything a browser would render
 * as a document or run (HTML, SVG, XML, scripts) is sent as opaque bytes; every download is `attachment` except
 * plain raster images that the body frame shows inline.
 */

const TOKEN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
// Matched on the subtype: html, xhtml, any XML (SVG is image/svg+xml), XSL, every *script, Flash, IE's HTC.
const ACTIVE_SUBTYPE =
  /^(x-)?(x?html|xml|xsl|xml-dtd)$|\+xml$|script|^x-shockwave-flash$|^x-component$|^x-mixed-replace$/;
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** The stored type without parameters, or application/octet-stream when it is malformed or could be active. */
export function downloadContentType(stored: string | null | undefined): string {
  const type = (stored ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!TOKEN.test(type) || ACTIVE_SUBTYPE.test(type.slice(type.indexOf('/') + 1))) return 'application/octet-stream';
  return type;
}

export function isInlineSafeImage(stored: string | null | undefined): boolean {
  return INLINE_IMAGES.has(downloadContentType(stored));
}

/** The name a download is saved under: sanitized again here (rows may predate the parser's rules). */
export function downloadFilename(
  names: { filename?: string | null; originalFilename?: string | null },
  fallback: string,
): string {
  return sanitizeFilename(names.filename) ?? sanitizeFilename(names.originalFilename) ?? fallback;
}

/** RFC 5987 value characters: everything else is %-encoded as UTF-8. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Printable ASCII only, without the characters a quoted-string or a lenient browser would misread. */
function asciiFallback(value: string): string {
  const ascii = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\%;]/g, '_');
  return ascii.replace(/^[_\s.]+$/, '') || 'download';
}

/** RFC 6266: a quoted ASCII `filename` for old clients and the exact name as `filename*=UTF-8''…`. */
export function contentDisposition(kind: 'attachment' | 'inline', filename: string): string {
  return `${kind}; filename="${asciiFallback(filename)}"; filename*=UTF-8''${encodeExtValue(filename)}`;
}
