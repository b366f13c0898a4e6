/**
 * IMAP mailbox names on the wire (RFC 3501 §5.1.3): modified UTF-7, where printable ASCII stands for itself,
 * `&` is `&-`, and any other run is `&` + base64 of its UTF-16BE with `,` for `/` and no padding + `-`. This is
 * the encoding imapflow applies to paths (its `utf7` dependency's `imap` codec) on an IMAP4rev1 session, which is
 * the only kind the sync opens (lib/mail/imap.ts disables IMAP4rev2, whose UTF-8 names are not used here).
 */

function isDirect(code: number): boolean {
  return code >= 0x20 && code <= 0x7e && code !== 0x26;
}

export function encodeMailboxName(name: string): string {
  let out = '';
  let run = '';
  const flush = () => {
    if (!run) return;
    const utf16 = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i += 1) utf16.writeUInt16BE(run.charCodeAt(i), i * 2);
    out += `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    run = '';
  };
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (char === '&') {
      flush();
      out += '&-';
    } else if (char.length === 1 && isDirect(code)) {
      flush();
      out += char;
    } else run += char;
  }
  flush();
  return out;
}

/** The name a server sent; undefined when it is not valid modified UTF-7 (the caller then trusts nothing). */
export function decodeMailboxName(wire: string): string | undefined {
  let out = '';
  for (let i = 0; i < wire.length;) {
    const char = wire[i] as string;
    if (char !== '&') {
      if (!isDirect(char.charCodeAt(0))) return undefined;
      out += char;
      i += 1;
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end < 0) return undefined;
    const encoded = wire.slice(i + 1, end);
    i = end + 1;
    if (encoded === '') {
      out += '&';
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(encoded)) return undefined;
    const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
    if (bytes.length % 2 !== 0 || bytes.length === 0) return undefined;
    for (let j = 0; j < bytes.length; j += 2) out += String.fromCharCode(bytes.readUInt16BE(j));
  }
  return out;
}

/** A quoted string for a command: the encoded name is ASCII, so only `\` and `"` need escaping. */
export function quoteMailboxName(name: string): string {
  return `"${encodeMailboxName(name).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** INBOX is case-insensitive (RFC 3501 §5.1); every other name is compared exactly. */
export function sameMailbox(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}
