import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mimeNestingDepth } from '@/lib/mail/mime-structure';
import { extractAttachment, headersOnly, MAX_NESTING_DEPTH, parseMessage } from '@/lib/mail/parse';
import { sanitizeFilename } from '@/lib/mail/parse-fields';

// Fixtures are built here rather than stored, so each test shows the bytes it is about.
const CRLF = '\r\n';
const message = (headers: string[], body: string) => Buffer.from([...headers, '', body].join(CRLF), 'latin1');
const base = [
  'From: Alice Example <alice@example.com>',
  'To: bob@example.com',
  'Subject: Hello',
  'Date: Mon, 1 Jan 2024 10:00:00 +0000',
  'Message-ID: <m1@example.com>',
  'MIME-Version: 1.0',
];

function multipart(type: string, boundary: string, parts: string[]): string {
  return [
    `Content-Type: multipart/${type}; boundary="${boundary}"`,
    '',
    ...parts.flatMap((part) => [`--${boundary}`, part]),
    `--${boundary}--`,
    '',
  ].join(CRLF);
}
const part = (headers: string[], body: string) => [...headers, '', body].join(CRLF);
/** A whole message whose top-level part is `body` (a part with its own headers). */
const withBody = (body: string, headers = base) => Buffer.from([...headers, body].join(CRLF), 'latin1');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('parseMessage', () => {
  it('reads a plain text message', async () => {
    const parsed = await parseMessage(
      message(
        [
          ...base,
          'Cc: "Carol, C." <carol@example.com>, dave@example.com',
          'Reply-To: Support <support@example.com>',
          'In-Reply-To: <m0@example.com>',
          'References: <a@x> <m0@example.com>',
          'Content-Type: text/plain; charset=utf-8',
        ],
        'Hi Bob,\r\n\r\n   how   are you?\r\n',
      ),
    );
    expect(parsed).toMatchObject({
      messageId: '<m1@example.com>',
      inReplyTo: '<m0@example.com>',
      subject: 'Hello',
      from: 'Alice Example <alice@example.com>',
      to: ['bob@example.com'],
      cc: ['Carol, C. <carol@example.com>', 'dave@example.com'],
      replyTo: ['Support <support@example.com>'],
      dateHeader: 'Mon, 1 Jan 2024 10:00:00 +0000',
      html: null,
      snippet: 'Hi Bob, how are you?',
      hasAttachments: false,
      attachments: [],
      parseError: null,
    });
    expect(parsed.date?.toISOString()).toBe('2024-01-01T10:00:00.000Z');
    expect(parsed.text).toContain('how   are you?');
    expect(parsed.headers.references).toBe('<a@x> <m0@example.com>');
  });

  it('keeps both bodies of a text + html alternative', async () => {
    const body = multipart('alternative', 'alt', [
      part(['Content-Type: text/plain; charset=utf-8'], 'Plain version'),
      part(['Content-Type: text/html; charset=utf-8'], '<html><body><p>HTML <b>version</b></p></body></html>'),
    ]);
    const parsed = await parseMessage(withBody(body));
    expect(parsed.text?.trim()).toBe('Plain version');
    expect(parsed.html).toContain('<b>version</b>');
    expect(parsed.snippet).toBe('Plain version');
  });

  it('makes a tag-free snippet from an html-only message', async () => {
    const html = `<html><head><style>p{color:red}</style></head><body><p>Dear&nbsp;customer,</p>\n<p>your order &amp; invoice</p>${'<p>more text</p>'.repeat(50)}</body></html>`;
    const parsed = await parseMessage(message([...base, 'Content-Type: text/html; charset=utf-8'], html));
    expect(parsed.html).toContain('<p>');
    expect(parsed.snippet).toMatch(/^Dear customer, your order & invoice/i);
    expect(parsed.snippet).not.toMatch(/[<>]|color:red/);
    expect(parsed.snippet.length).toBeLessThanOrEqual(200);
  });

  it('returns attachments with sha256 checksums', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from([0, 1, 2, 255])]);
    const body = multipart('mixed', 'mix', [
      part(['Content-Type: text/plain'], 'See attached.'),
      part(
        [
          'Content-Type: application/pdf; name="report.pdf"',
          'Content-Disposition: attachment; filename="report.pdf"',
          'Content-Transfer-Encoding: base64',
        ],
        pdf.toString('base64'),
      ),
    ]);
    const source = withBody(body);
    const parsed = await parseMessage(source);
    expect(parsed.hasAttachments).toBe(true);
    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment).toMatchObject({
      filename: 'report.pdf',
      originalFilename: 'report.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
      inline: false,
      contentId: null,
    });
    expect(attachment?.checksum).toBe(sha256(pdf));
    expect((await extractAttachment(source, sha256(pdf)))?.equals(pdf)).toBe(true); // bytes untouched, NUL included
    expect(await extractAttachment(source, sha256(Buffer.from('other')))).toBeNull();
  });

  it('counts a Content-ID image shown in the body as inline, not as an attachment', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const body = multipart('related', 'rel', [
      part(['Content-Type: text/html'], '<p>Logo: <img src="cid:logo@x"></p>'),
      part(
        [
          'Content-Type: image/png',
          'Content-Disposition: inline',
          'Content-ID: <logo@x>',
          'Content-Transfer-Encoding: base64',
        ],
        png.toString('base64'),
      ),
    ]);
    const parsed = await parseMessage(withBody(body));
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ inline: true, contentId: 'logo@x', contentType: 'image/png' });
    expect(parsed.hasAttachments).toBe(false);
    expect(parsed.html).toContain('cid:logo@x'); // not swapped for a data: URL copy of the image
  });

  it('treats an inline disposition without Content-ID (Apple Mail PDFs) as a real attachment', async () => {
    const body = multipart('mixed', 'mix', [
      part(['Content-Type: text/plain'], 'Here.'),
      part(
        [
          'Content-Type: application/pdf',
          'Content-Disposition: inline; filename=scan.pdf',
          'Content-Transfer-Encoding: base64',
        ],
        Buffer.from('%PDF').toString('base64'),
      ),
    ]);
    const parsed = await parseMessage(withBody(body));
    expect(parsed.attachments[0]?.inline).toBe(false);
    expect(parsed.hasAttachments).toBe(true);
  });

  it('decodes windows-1252 quoted-printable text', async () => {
    const parsed = await parseMessage(
      message(
        [...base, 'Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: quoted-printable'],
        '=93Quoted=94 costs =805 =96 it=92s fine',
      ),
    );
    expect(parsed.text?.trim()).toBe('“Quoted” costs €5 – it’s fine');
  });

  it('decodes RFC 2047 encoded words and RFC 2231 file names', async () => {
    const headers = [
      'From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <jm@example.de>',
      'To: bob@example.com',
      'Subject: =?UTF-8?B?4oKsIFByZWlz?= =?ISO-8859-1?Q?_f=FCr_Sie?=',
      'MIME-Version: 1.0',
    ];
    const body = multipart('mixed', 'mix', [
      part(['Content-Type: text/plain'], 'x'),
      part(
        [
          'Content-Type: application/octet-stream',
          "Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC%20Rechnung%20M%C3%A4rz.pdf",
        ],
        'a',
      ),
      part(
        [
          'Content-Type: application/octet-stream',
          "Content-Disposition: attachment; filename*0*=UTF-8''%C3%BCber; filename*1*=%20lang.txt",
        ],
        'b',
      ),
    ]);
    const parsed = await parseMessage(withBody(body, headers));
    expect(parsed.subject).toBe('€ Preis für Sie');
    expect(parsed.from).toBe('Jürgen Müller <jm@example.de>');
    expect(parsed.attachments.map((a) => a.filename)).toEqual(['€ Rechnung März.pdf', 'über lang.txt']);
  });

  it('sanitizes path traversal file names for display and keeps the original', async () => {
    const body = multipart('mixed', 'mix', [
      part(['Content-Type: text/plain'], 'x'),
      part(
        ['Content-Type: application/octet-stream', 'Content-Disposition: attachment; filename="../../etc/passwd"'],
        'root',
      ),
      part(
        [
          'Content-Type: application/octet-stream',
          'Content-Disposition: attachment; filename="C:\\\\Windows\\\\evil.exe"',
        ],
        'MZ',
      ),
    ]);
    const parsed = await parseMessage(withBody(body));
    expect(parsed.attachments.map((a) => [a.filename, a.originalFilename])).toEqual([
      ['passwd', '../../etc/passwd'],
      ['evil.exe', 'C:\\Windows\\evil.exe'],
    ]);
  });

  it('strips NUL from every stored string but not from attachment bytes', async () => {
    const binary = Buffer.from([0x41, 0, 0x42]);
    const body = multipart('mixed', 'mix', [
      part(['Content-Type: text/plain'], 'body\u0000text'),
      part(
        [
          'Content-Type: application/octet-stream',
          'Content-Disposition: attachment; filename="a\u0000b.bin"',
          'Content-Transfer-Encoding: base64',
        ],
        binary.toString('base64'),
      ),
    ]);
    const headers = [
      'From: "Ev\u0000e" <eve@example.com>',
      'To: bob@example.com',
      'Subject: nul\u0000here',
      'Message-ID: <n\u0000ul@x>',
      'X-Priority: 1\u0000',
      'MIME-Version: 1.0',
    ];
    const source = withBody(body, headers);
    const parsed = await parseMessage(source);
    const strings = JSON.stringify(parsed);
    expect(strings).not.toContain('\\u0000');
    expect(parsed.subject).toBe('nulhere');
    expect(parsed.text?.trim()).toBe('bodytext');
    expect(parsed.attachments[0]?.filename).toBe('ab.bin');
    expect((await extractAttachment(source, parsed.attachments[0]?.checksum ?? ''))?.equals(binary)).toBe(true);
  });

  it.each(['not a date', 'foo 2', 'Tue, 32 Jan 2024 10:00:00 +0000', 'Mon, 1 Jan 99999 10:00:00 +0000'])(
    'keeps an unreadable Date header (%s) raw with date null',
    async (value) => {
      const parsed = await parseMessage(message(['From: a@example.com', `Date: ${value}`, 'Subject: x'], 'body'));
      expect(parsed.date).toBeNull();
      expect(parsed.dateHeader).toBe(value);
    },
  );

  it('reads a Date header with a comment and a missing one as null', async () => {
    expect(
      (
        await parseMessage(message(['From: a@x', 'Date: Wed, 03 Apr 2024 12:34:56 -0700 (PDT)'], 'b'))
      ).date?.toISOString(),
    ).toBe('2024-04-03T19:34:56.000Z');
    expect(await parseMessage(message(['From: a@x'], 'b'))).toMatchObject({ date: null, dateHeader: null });
  });

  it('parses a message with 1,500 parts', async () => {
    const parts = Array.from({ length: 1500 }, (_, i) =>
      part(['Content-Type: text/plain', `Content-Disposition: attachment; filename="f${i}.txt"`], `part ${i}`),
    );
    const parsed = await parseMessage(
      withBody(multipart('mixed', 'many', [part(['Content-Type: text/plain'], 'Many parts'), ...parts])),
    );
    expect(parsed.parseError).toBeNull();
    expect(parsed.attachments).toHaveLength(1500);
    expect(parsed.attachments[1499]?.filename).toBe('f1499.txt');
  });

  it('parses parts nested 20 levels deep', async () => {
    const parsed = await parseMessage(withBody(nested(20)));
    expect(parsed.parseError).toBeNull();
    expect(parsed.text?.trim()).toBe('deep text');
  });

  it('refuses absurd nesting with headers read and no exception', async () => {
    const parsed = await parseMessage(withBody(nested(5000)));
    expect(parsed.parseError).toMatch(/nested more than/);
    expect(parsed.subject).toBe('Hello');
    expect(parsed.text).toBeNull();
  });

  it('shows the raw body of a multipart whose boundary never matches', async () => {
    const parsed = await parseMessage(
      message(
        [...base, 'Content-Type: multipart/mixed; boundary="declared"'],
        '--other\r\nContent-Type: text/plain\r\n\r\nhello from a broken message\r\n--other--\r\n',
      ),
    );
    expect(parsed.text).toContain('hello from a broken message');
    expect(parsed.snippet).toContain('hello from a broken message');
    expect(parsed.parseError).toMatch(/multipart/);
  });

  it('reads a multipart whose closing boundary is missing', async () => {
    const parsed = await parseMessage(
      message(
        [...base, 'Content-Type: multipart/mixed; boundary="b"'],
        '--b\r\nContent-Type: text/plain\r\n\r\ncut short\r\n',
      ),
    );
    expect(parsed.text?.trim()).toBe('cut short');
  });

  it('never throws on garbage', async () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const inputs = [
      Buffer.alloc(0),
      Buffer.from([0, 1, 2, 255, 254, 0, 13, 10, 13, 10, 0, 0]),
      Buffer.from(Array.from({ length: 100_000 }, random)),
      Buffer.from('Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n'),
      Buffer.from(`Subject: ${'x'.repeat(2_000_000)}`), // a header block mailparser refuses
      'not a buffer' as unknown as Buffer,
    ];
    for (const input of inputs) {
      const parsed = await parseMessage(input);
      expect(typeof parsed.snippet).toBe('string');
      expect(JSON.stringify(parsed.text ?? '')).not.toContain('\\u0000');
    }
    expect((await parseMessage(Buffer.alloc(0))).parseError).toMatch(/empty/);
  });

  it('cuts bodies at the byte limit without splitting a character', async () => {
    const parsed = await parseMessage(
      message([...base, 'Content-Type: text/plain; charset=utf-8'], Buffer.from('€'.repeat(1000)).toString('latin1')),
      { maxTextBytes: 100 },
    );
    expect(parsed.bodyTruncated).toBe(true);
    expect(parsed.text).toBe('€'.repeat(33));
  });
});

describe('headersOnly', () => {
  it('reads the header block and never the body', async () => {
    const body = multipart('mixed', 'mix', [
      part(['Content-Type: text/plain'], 'secret body'),
      part(['Content-Type: application/pdf', 'Content-Disposition: attachment; filename=a.pdf'], 'x'),
    ]);
    const parsed = await headersOnly(withBody(body, [...base, 'Date: garbage']));
    expect(parsed).toMatchObject({
      subject: 'Hello',
      from: 'Alice Example <alice@example.com>',
      messageId: '<m1@example.com>',
      text: null,
      html: null,
      snippet: '',
      bodyTruncated: false,
      attachments: [],
      parseError: null,
    });
    expect(parsed.date?.toISOString()).toBe('2024-01-01T10:00:00.000Z'); // the first Date header counts
  });

  it('handles a source without any empty line', async () => {
    expect((await headersOnly(Buffer.from('Subject: only headers\r\nFrom: a@x'))).subject).toBe('only headers');
  });
});

describe('mimeNestingDepth', () => {
  it('counts multipart and embedded message levels', () => {
    expect(mimeNestingDepth(message(['Subject: x'], 'text'), 10)).toBe(0);
    expect(mimeNestingDepth(withBody(nested(3)), 10)).toBe(3);
    const forwarded = multipart('mixed', 'outer', [
      part(['Content-Type: text/plain'], 'fwd'),
      part(['Content-Type: message/rfc822'], ['Subject: inner', nested(2)].join(CRLF)),
    ]);
    expect(mimeNestingDepth(withBody(forwarded), 10)).toBe(4);
  });

  it('stops counting past the limit', () => {
    expect(mimeNestingDepth(withBody(nested(5000)), MAX_NESTING_DEPTH)).toBe(MAX_NESTING_DEPTH + 1);
  });
});

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\evil.exe', 'evil.exe'],
    ['.bashrc', 'bashrc'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['a\tb\u0007.txt', 'ab.txt'],
    ['what?.txt', 'what_.txt'],
    ['...', null],
    ['', null],
  ])('%j becomes %j', (input, expected) => {
    expect(sanitizeFilename(input)).toBe(expected);
  });

  it('keeps the extension when cutting a long name to 200 characters', () => {
    const name = sanitizeFilename(`${'ä'.repeat(300)}.pdf`);
    expect(name).toHaveLength(200);
    expect(name?.endsWith('.pdf')).toBe(true);
  });
});

/** `depth` multiparts, each holding the next; built as prefix + suffix so 5,000 levels stay cheap to make. */
function nested(depth: number): string {
  const opening: string[] = [];
  const closing: string[] = [];
  for (let level = 1; level <= depth; level++) {
    opening.push(`Content-Type: multipart/mixed; boundary="b${level}"`, '', `--b${level}`);
    closing.unshift(`--b${level}--`);
  }
  return [...opening, part(['Content-Type: text/plain'], 'deep text'), ...closing, ''].join(CRLF);
}
