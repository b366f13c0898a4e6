import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { findHeaderEnd } from '@/lib/mail/mime-structure';

/**
 * Finds the bodies of base64 attachments (leaf parts that are neither text, multipart nor an embedded message)
 * with Buffer.indexOf, and decodes them natively. A MIME parser reads such a body line by line through a
 * streaming base64 decoder: for mail with attachments that was most of the sync's CPU time.
 *
 * This is only a locator. `readMailSkippingAttachments` (read-mail.ts) hands the message to mailparser with each
 * located body swapped for a marker, and trusts the result only when every marker comes back as one whole
 * attachment: a structure read differently here than by mailparser can cost speed, never correctness.
 */

export interface OpaqueBody {
  /** Byte range of the body in the source, from after the part's header block to its closing delimiter line. */
  start: number;
  end: number;
  /** Decoded size and sha256 (hex), exactly as mailparser's base64 decoder and checksum would give them. */
  size: number;
  checksum: string;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const EQUALS = 0x3d;
const UNDERSCORE = 0x5f;
const MAX_DEPTH = 30;
// Small enough that the slice's string and bytes stay in the young generation and malloc's free lists: large
// ones are fresh mappings each time, page faults included.
const DECODE_SLICE_BYTES = 64 * 1024;
// Below this a body costs mailparser little; swapping it for a marker would not pay.
const MIN_BODY_BYTES = 2 * 1024;

interface PartHeaders {
  contentType: string | null;
  boundary: string | null;
  encoding: string | null;
  bodyStart: number;
}

/** Base64 attachment bodies of a message, in source order; empty when the structure is unusual anywhere. */
export function findOpaqueBodies(source: Buffer): OpaqueBody[] {
  const found: OpaqueBody[] = [];
  return walk(source, 0, source.length, 0, found) ? found : [];
}

function walk(source: Buffer, start: number, end: number, depth: number, found: OpaqueBody[]): boolean {
  if (depth > MAX_DEPTH) return false;
  const headers = readPartHeaders(source, start, end);
  if (!headers) return false;
  const { contentType, boundary, encoding, bodyStart } = headers;
  const topLevel = contentType?.slice(0, contentType.indexOf('/')) ?? '';
  if (topLevel === 'multipart') {
    if (!boundary) return false;
    const children = childRanges(source, bodyStart, end, boundary);
    if (!children) return false;
    return children.every((child) => walk(source, child.start, child.end, depth + 1, found));
  }
  const opaque =
    contentType !== null && contentType.includes('/') && !['text', 'message', 'multipart'].includes(topLevel);
  if (!opaque || encoding !== 'base64' || end - bodyStart < MIN_BODY_BYTES) return true;
  const decoded = measureBase64(source.subarray(bodyStart, end));
  if (decoded) found.push({ start: bodyStart, end, ...decoded });
  return true;
}

/** Content-Type, boundary and transfer encoding of the part at `start`; null when a header is repeated or odd. */
function readPartHeaders(source: Buffer, start: number, end: number): PartHeaders | null {
  const part = source.subarray(start, end);
  const { headerEnd, bodyStart } = findHeaderEnd(part);
  if (bodyStart >= part.length && headerEnd >= part.length) return null; // no body at all
  const fields = new Map<string, string>();
  let name: string | null = null;
  for (const raw of part.toString('latin1', 0, headerEnd).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (name !== null) fields.set(name, `${fields.get(name)}${line}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-type' && name !== 'content-transfer-encoding') {
      name = null;
      continue;
    }
    if (fields.has(name)) return null; // which one a parser believes is its own choice: not ours to guess
    fields.set(name, line.slice(colon + 1));
  }
  const typeField = fields.get('content-type') ?? null;
  // Comments and RFC 2231 continuations are legal but rare: leave such parts to mailparser.
  if (typeField !== null && (typeField.includes('(') || /boundary\*/i.test(typeField))) return null;
  const contentType = typeField === null ? null : (typeField.split(';')[0] ?? '').trim().toLowerCase();
  const boundaryMatch = typeField === null ? null : /;\s*boundary\s*=\s*(?:"([^"]+)"|([^";\s]+))/i.exec(typeField);
  return {
    contentType: contentType || null,
    boundary: boundaryMatch ? (boundaryMatch[1] ?? boundaryMatch[2] ?? null) : null,
    encoding: fields.get('content-transfer-encoding')?.trim().toLowerCase() ?? null,
    bodyStart: start + bodyStart,
  };
}

/**
 * The parts of a multipart body: each runs from after a delimiter line to the start of the next one (its final
 * line break included). Null when the closing delimiter is missing.
 */
function childRanges(
  source: Buffer,
  bodyStart: number,
  end: number,
  boundary: string,
): { start: number; end: number }[] | null {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: { start: number; end: number }[] = [];
  let partStart = -1;
  for (let at = source.indexOf(delimiter, bodyStart); at !== -1 && at < end; at = source.indexOf(delimiter, at + 1)) {
    if (at !== bodyStart && source[at - 1] !== LF) continue;
    const after = at + delimiter.length;
    const closing = source[after] === DASH && source[after + 1] === DASH;
    const newline = source.indexOf(LF, closing ? after + 2 : after);
    const lineEnd = newline === -1 || newline >= end ? end : newline;
    if (!isBlank(source, closing ? after + 2 : after, lineEnd)) continue; // a longer boundary sharing this prefix
    if (partStart !== -1) parts.push({ start: partStart, end: at });
    if (closing) return parts;
    partStart = Math.min(lineEnd + 1, end);
  }
  return null;
}

function isBlank(source: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const byte = source[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== CR) return false;
  }
  return true;
}

/**
 * Decoded size and sha256 of a base64 body, or null unless it is plain base64: the alphabet and line breaks,
 * with padding only at the very end. On such input every decoder agrees with Node's.
 */
export function measureBase64(body: Buffer): { size: number; checksum: string } | null {
  // Node's decoder reads "-" and "_" as base64url where mailparser's drops them; 'ascii' below drops high bits.
  if (body.includes(DASH) || body.includes(UNDERSCORE) || !isAscii(body)) return null;
  const padding = body.indexOf(EQUALS);
  const pads = padding === -1 ? 0 : paddingLength(body, padding);
  if (pads === null) return null;
  const hash = createHash('sha256');
  let size = 0;
  let sliceStart = 0;
  while (sliceStart < body.length) {
    // Slices end after a line break and hold whole 4-character groups, so each decodes on its own.
    let sliceEnd = Math.min(body.length, sliceStart + DECODE_SLICE_BYTES);
    let text = '';
    let characters = 0;
    for (;;) {
      const newline = sliceEnd >= body.length ? -1 : body.indexOf(LF, sliceEnd);
      sliceEnd = newline === -1 ? body.length : newline + 1;
      text = body.toString('ascii', sliceStart, sliceEnd); // a plain copy, where 'latin1' converts each byte
      characters = lengthWithoutLineBreaks(text);
      if (sliceEnd === body.length || characters % 4 === 0) break;
      sliceEnd += 1; // take the next line too
    }
    const decoded = Buffer.from(text, 'base64');
    // Anything else (a space, a stray symbol) is skipped by Node and left out of what the characters promise.
    const final = sliceEnd === body.length;
    if (decoded.length !== Math.floor(((characters - (final ? pads : 0)) * 3) / 4)) return null;
    hash.update(decoded);
    size += decoded.length;
    sliceStart = sliceEnd;
  }
  return { size, checksum: hash.digest('hex') };
}

/** How many "=" end the body (at most 2), or null when anything but line breaks follows the first one. */
function paddingLength(body: Buffer, padding: number): number | null {
  let equals = 0;
  for (let i = padding; i < body.length; i++) {
    const byte = body[i];
    if (byte === EQUALS) equals += 1;
    else if (byte !== CR && byte !== LF) return null;
  }
  return equals <= 2 ? equals : null;
}

function lengthWithoutLineBreaks(text: string): number {
  let breaks = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) breaks += 1;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) breaks += 1;
  return text.length - breaks;
}
