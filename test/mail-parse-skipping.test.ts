import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { benchMessage } from '@/bench/mailbox';
import { findOpaqueBodies, measureBase64 } from '@/lib/mail/opaque-parts';
import { readMail, readMailSkippingAttachments, readWithMarkers, type ReadMail } from '@/lib/mail/read-mail';
import { hostileCorpus } from '@/test/reliability/support/hostile-corpus';

// The options parse.ts reads with; the fast path must give what a full read gives under them.
const OPTIONS = {
  maxChildNodes: 10_000,
  keepCidLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: 'sha256',
  maxHtmlLengthToParse: 4 * 1024 * 1024,
} as const;
const CRLF = '\r\n';
const HEAD = [
  'From: a@example.com',
  'To: b@example.com',
  'Subject: Attached',
  'Message-ID: <s1@example.com>',
  'MIME-Version: 1.0',
];

/** Everything of a read that reaches a stored row. */
function projection(mail: ReadMail) {
  return {
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    attachments: mail.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      contentDisposition: a.contentDisposition,
      size: a.size,
      checksum: a.checksum,
      cid: a.cid,
      related: a.related,
    })),
  };
}

async function expectSameAsFullRead(source: Buffer): Promise<void> {
  const full = await readMail(source, OPTIONS).then(projection, (error: unknown) => ({ error: String(error) }));
  const fast = await readMailSkippingAttachments(source, OPTIONS).then(projection, (error: unknown) => ({
    error: String(error),
  }));
  expect(fast).toEqual(full);
}

function mixed(boundary: string, parts: string[], headers = HEAD): Buffer {
  const body = [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    ...parts.flatMap((p) => [`--${boundary}`, p]),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from([...headers, ...body].join(CRLF), 'latin1');
}
const textPart = (text: string) => ['Content-Type: text/plain; charset=utf-8', '', text].join(CRLF);
const wrap = (b64: string, width = 76) => b64.replace(new RegExp(`.{${width}}`, 'g'), `$&${CRLF}`);
const pdfPart = (body: string, extra: string[] = []) =>
  [
    'Content-Type: application/pdf; name="r.pdf"',
    'Content-Disposition: attachment; filename="r.pdf"',
    'Content-Transfer-Encoding: base64',
    ...extra,
    '',
    body,
  ].join(CRLF);
const pdf = (bytes = 40_000, seed = 1) => wrap(Buffer.from(randomBytesSeeded(bytes, seed)).toString('base64'));

function randomBytesSeeded(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('reading mail without running attachment bodies through mailparser', () => {
  it('skips the base64 bodies of ordinary mail and reads it exactly as a full read does', async () => {
    let skipped = 0;
    for (let index = 0; index < 60; index++) {
      const { raw, shape } = benchMessage('bench@contoso.test', 11, index);
      const bodies = findOpaqueBodies(raw);
      if (shape === 'attachment' || shape === 'large') {
        expect(bodies).toHaveLength(1);
        expect(await readWithMarkers(raw, bodies, OPTIONS)).not.toBeNull(); // no fallback to a full read
      } else {
        expect(bodies).toEqual([]);
      }
      skipped += bodies.length;
      await expectSameAsFullRead(raw);
    }
    expect(skipped).toBeGreaterThan(10);
  });

  it('reads the hostile corpus exactly as a full read does', async () => {
    for (const message of hostileCorpus({ to: 'b@example.com' })) {
      if (message.family === 'nesting') continue; // refused before any read (parse.ts)
      await expectSameAsFullRead(message.raw);
    }
  });

  // [case, whether the bodies are skipped (true) or the message is read in full (false)]
  const tricky: [string, Buffer, boolean][] = [
    [
      'a single-part attachment',
      Buffer.from(
        [...HEAD, 'Content-Type: application/zip', 'Content-Transfer-Encoding: BASE64', '', pdf()].join(CRLF),
        'latin1',
      ),
      true,
    ],
    [
      'bare LF line endings',
      Buffer.from(
        mixed('lf', [textPart('hi'), pdfPart(pdf())])
          .toString('latin1')
          .replace(/\r\n/g, '\n'),
        'latin1',
      ),
      true,
    ],
    [
      'lines of 75 characters over several slices',
      mixed('w', [textPart('hi'), pdfPart(wrap(randomBytesSeeded(1_700_000, 3).toString('base64'), 75))]),
      true,
    ],
    [
      'padding at the end',
      mixed('p', [textPart('hi'), pdfPart(wrap(randomBytesSeeded(40_001, 4).toString('base64')))]),
      true,
    ],
    [
      'padding on every line',
      mixed('pl', [
        textPart('hi'),
        pdfPart(
          Array.from({ length: 900 }, (_, i) => randomBytesSeeded(40, i).toString('base64').slice(0, 54) + '==').join(
            CRLF,
          ),
        ),
      ]),
      false,
    ],
    [
      'base64url characters',
      mixed('u', [textPart('hi'), pdfPart(pdf().replace(/\+/g, '-').replace(/\//g, '_'))]),
      false,
    ],
    ['a stray character', mixed('s', [textPart('hi'), pdfPart(pdf().replace(/A/, '!'))]), false],
    ['a body shorter than one group', mixed('t', [textPart('hi'), pdfPart(`${pdf(3_000)}QU`)]), true],
    [
      'a delimiter with trailing junk inside the body',
      mixed('j', [textPart('hi'), pdfPart(`${pdf()}${CRLF}--j junk${CRLF}${pdf(3_000, 5)}`)]),
      false,
    ],
    [
      'a boundary that prefixes another',
      mixed('b', [textPart('hi'), pdfPart(`${pdf()}${CRLF}--bb${CRLF}${pdf(3_000, 6)}`)]),
      false,
    ],
    [
      'no closing delimiter',
      Buffer.from(
        mixed('nc', [textPart('hi'), pdfPart(pdf())])
          .toString('latin1')
          .replace(/--nc--\r\n$/, ''),
        'latin1',
      ),
      false,
    ],
    [
      'a repeated transfer encoding',
      mixed('r', [textPart('hi'), pdfPart(pdf(), ['Content-Transfer-Encoding: 7bit'])]),
      false,
    ],
    [
      'an encoding that is not base64',
      mixed('q', [
        textPart('hi'),
        ['Content-Type: application/pdf', 'Content-Transfer-Encoding: quoted-printable', '', 'abc=3D'.repeat(800)].join(
          CRLF,
        ),
      ]),
      false,
    ],
    [
      'a base64 text attachment',
      mixed('ta', [
        textPart('hi'),
        [
          'Content-Type: text/csv',
          'Content-Disposition: attachment; filename=a.csv',
          'Content-Transfer-Encoding: base64',
          '',
          pdf(),
        ].join(CRLF),
      ]),
      false,
    ],
    [
      'an embedded message with an attachment',
      mixed('e', [
        textPart('fwd'),
        [
          'Content-Type: message/rfc822',
          '',
          mixed('inner', [textPart('inner'), pdfPart(pdf())]).toString('latin1'),
        ].join(CRLF),
      ]),
      false,
    ],
    [
      'an inline image in multipart/related',
      mixed('rel', [
        [
          `Content-Type: multipart/related; boundary=inner`,
          '',
          '--inner',
          'Content-Type: text/html',
          '',
          '<img src="cid:img1">',
          '--inner',
          'Content-Type: image/png',
          'Content-ID: <img1>',
          'Content-Transfer-Encoding: base64',
          '',
          pdf(),
          '--inner--',
          '',
        ].join(CRLF),
      ]),
      true,
    ],
    ['two attachments with the same bytes', mixed('two', [textPart('hi'), pdfPart(pdf()), pdfPart(pdf())]), true],
    [
      'a folded content type',
      mixed('f', [
        textPart('hi'),
        ['Content-Type: application/pdf;', '\tname="x.pdf"', 'Content-Transfer-Encoding:', ' base64', '', pdf()].join(
          CRLF,
        ),
      ]),
      true,
    ],
    [
      'a marker-looking text',
      mixed('m', [textPart(Buffer.from('mailgate skipped attachment').toString('base64')), pdfPart(pdf())]),
      true,
    ],
  ];
  for (const [name, raw, skipped] of tricky) {
    it(`reads ${name} exactly as a full read does`, async () => {
      const bodies = findOpaqueBodies(raw);
      expect(bodies.length > 0 && (await readWithMarkers(raw, bodies, OPTIONS)) !== null).toBe(skipped);
      await expectSameAsFullRead(raw);
    });
  }

  it('decodes only plain base64, and then exactly as mailparser does', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    let measured = 0;
    for (let i = 0; i < 150; i++) {
      const bytes = randomBytes(2_000 + (i % 7) * 997);
      let body = wrap(bytes.toString('base64'), 4 + (i % 19) * 4);
      const noise = i % 5;
      if (noise === 1) body = body.replace(/[A-Z]/, '-');
      if (noise === 2) body = body.slice(0, -1 - (i % 3));
      if (noise === 3) body = `${body.slice(0, 100)}=${alphabet[i % 64]}${body.slice(100)}`;
      if (noise === 4) body = `${body.slice(0, 50)}\u00e9 ${body.slice(50)}`;
      const raw = mixed('z', [textPart('x'), pdfPart(body)]);
      const start = raw.indexOf('\r\n\r\n', raw.indexOf('application/pdf')) + 4;
      const measure = measureBase64(raw.subarray(start, raw.lastIndexOf('--z--')));
      const full = await readMail(raw, OPTIONS);
      if (measure) {
        measured += 1;
        expect(measure).toEqual({ size: full.attachments[0]?.size, checksum: full.attachments[0]?.checksum });
      }
      if (noise === 0) expect(measure).not.toBeNull();
      if (noise === 1 || noise === 3 || noise === 4) expect(measure).toBeNull();
    }
    expect(measured).toBeGreaterThan(30);
  });
});
