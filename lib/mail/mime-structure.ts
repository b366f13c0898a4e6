/**
 * Cheap looks at a raw message's structure before (or instead of) a full parse: where the header block ends,
 * and how deeply its MIME parts nest.
 */

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const LF_DASH_DASH = Buffer.from('\n--', 'latin1');

/** Where the header block ends: the offset of the empty line and the offset of the body after it. */
export function findHeaderEnd(source: Buffer): { headerEnd: number; bodyStart: number } {
  let lineStart = 0;
  while (lineStart < source.length) {
    const newline = source.indexOf(LF, lineStart);
    const lineEnd = newline === -1 ? source.length : newline;
    const content = lineEnd > lineStart && source[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    if (content === lineStart && newline !== -1) return { headerEnd: lineStart, bodyStart: newline + 1 };
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return { headerEnd: source.length, bodyStart: source.length }; // headers only, no body
}

/**
 * Old Mac mailers ended lines with a bare CR. Parsers split lines on LF only and read such a message as one
 * endless header line; a CRLF copy reads normally (the stored source stays byte-exact).
 */
export function withLineFeeds(source: Buffer): Buffer {
  if (source.includes(LF) || !source.includes(CR)) return source;
  return Buffer.from(source.toString('latin1').replace(/\r/g, '\r\n'), 'latin1');
}

/**
 * The header block, cut at a line boundary when it is longer than `maxBytes` or `maxLines`: a message without an
 * empty line is all "header", and mailparser refuses a header block that costs over 1 MB, counting every line
 * as at least 64 bytes (so 150,000 short folded lines fail even at a few hundred KB).
 */
export function headerBlock(source: Buffer, maxBytes: number, maxLines = Number.POSITIVE_INFINITY): Buffer {
  const { headerEnd } = findHeaderEnd(source);
  let end = Math.min(headerEnd, maxBytes);
  if (end < headerEnd) {
    const lastNewline = source.lastIndexOf(LF, maxBytes - 1);
    end = lastNewline > 0 ? lastNewline + 1 : maxBytes;
  }
  let lines = 0;
  for (let newline = source.indexOf(LF); newline !== -1 && newline < end; newline = source.indexOf(LF, newline + 1)) {
    lines += 1;
    if (lines >= maxLines) return source.subarray(0, newline + 1);
  }
  return source.subarray(0, end);
}

/**
 * How deeply multipart and message/rfc822 parts nest, counting up to `stopAbove + 1`. mailparser walks the
 * part tree recursively, so a hostile message nested thousands deep overflows the stack; this linear scan
 * lets the caller refuse such a message first. It follows boundaries the way a MIME parser does, but is only
 * an estimate for malformed input, which is all a guard needs.
 */
export function mimeNestingDepth(source: Buffer, stopAbove: number): number {
  const open: (string | null)[] = []; // boundaries of open multiparts; null marks an embedded message
  let inHeader = true;
  let contentType: string | null = null;
  let collecting = false;
  let deepest = 0;
  const closesOrOpens = (delimiter: string): boolean => {
    for (let level = open.length - 1; level >= 0; level--) {
      const boundary = open[level];
      if (boundary === null || boundary === undefined) continue;
      if (delimiter === boundary) {
        open.length = level + 1; // a sibling part of this multipart begins; deeper parts ended unclosed
        inHeader = true;
        contentType = null;
        collecting = false;
        return true;
      }
      if (delimiter === `${boundary}--`) {
        open.length = level;
        inHeader = false;
        return true;
      }
    }
    return false;
  };
  let lineStart = 0;
  while (lineStart < source.length) {
    if (!inHeader && !(source[lineStart] === DASH && source[lineStart + 1] === DASH)) {
      // Inside a body only delimiter lines matter: jump to the next line that starts with "--".
      const delimiter = source.indexOf(LF_DASH_DASH, lineStart);
      if (delimiter === -1) break;
      lineStart = delimiter + 1;
      continue;
    }
    const newline = source.indexOf(LF, lineStart);
    const lineEnd = newline === -1 ? source.length : newline;
    const next = newline === -1 ? source.length : newline + 1;
    if (
      source[lineStart] === DASH &&
      source[lineStart + 1] === DASH &&
      closesOrOpens(source.toString('latin1', lineStart + 2, lineEnd).trimEnd())
    ) {
      // handled: a delimiter of an open multipart, checked in headers too so an unterminated header block
      // (an embedded message sent as base64) cannot swallow the rest of the message
    } else if (inHeader) {
      const line = source.toString('latin1', lineStart, lineEnd).replace(/\r$/, '');
      if (line === '') {
        const opened = openedPart(contentType);
        if (opened !== undefined) open.push(opened);
        deepest = Math.max(deepest, open.length);
        if (deepest > stopAbove) return deepest;
        inHeader = opened === null; // an embedded message starts with its own headers
        contentType = null;
        collecting = false;
      } else if (/^[ \t]/.test(line)) {
        if (collecting) contentType = (contentType ?? '') + line;
      } else {
        collecting = /^content-type\s*:/i.test(line);
        if (collecting) contentType = line.slice(line.indexOf(':') + 1);
      }
    }
    lineStart = next;
  }
  return deepest;
}

/** The boundary a part opens (a multipart), null for an embedded message, undefined for a leaf. */
function openedPart(contentType: string | null): string | null | undefined {
  if (!contentType) return undefined;
  const type = contentType.trim().toLowerCase();
  if (type.startsWith('message/rfc822') || type.startsWith('message/global')) return null;
  if (!type.startsWith('multipart/')) return undefined;
  const boundary = /boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2];
  return value ? value : undefined;
}
