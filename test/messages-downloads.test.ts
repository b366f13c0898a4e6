import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '@/lib/db/types';
import { contentDisposition, downloadContentType, downloadFilename } from '@/lib/messages/download-headers';
import { configureTestEnvironment, createTestDatabase, type TestDatabase } from '@/test/support/database';

// The routes read the session through currentAdmin(); tests choose who is signed in.
const session = vi.hoisted(() => ({ admin: null as { id: string; email: string; name: string | null } | null }));
vi.mock('@/lib/auth/require-admin', () => ({
  currentAdmin: async () => session.admin,
  requireAdmin: async () => {
    throw new Error('pages are not under test here');
  },
}));

let database: TestDatabase;
let db: Db;
let closeDatabase: () => Promise<void>;
let schema: typeof import('@/lib/db/schema');
let downloads: typeof import('@/lib/messages/download-responses');
let messageId: number;
const parts: Record<string, number> = {};
// Bare LF, a NUL, bytes that are not UTF-8, CRLF: all must come back as stored.
const SOURCE = Buffer.concat([
  Buffer.from('From: a@fabrikam.test\nSubject: raw\r\n\r\nbody '),
  Buffer.from([0, 0xff, 0xfe, 0x80]),
  Buffer.from('\r\nend\n'),
]);

beforeAll(async () => {
  database = await createTestDatabase('mg_messages_downloads');
  configureTestEnvironment(database.url);
  const dbModule = await import('@/lib/db');
  db = await dbModule.getDb();
  closeDatabase = dbModule.closeDatabase;
  schema = await import('@/lib/db/schema');
  downloads = await import('@/lib/messages/download-responses');
  const [account] = await db
    .insert(schema.mailAccounts)
    .values({
      emailAddress: 'alice@contoso.test',
      homeAccountId: 'h',
      tenantId: 't',
      signInAddress: 'alice@contoso.test',
      imapUser: 'alice@contoso.test',
    })
    .returning();
  const [message] = await db
    .insert(schema.messages)
    .values({
      accountId: account!.id,
      folder: 'INBOX',
      uidValidity: 1,
      uid: 1,
      size: SOURCE.length,
      internalDate: new Date(),
      html: '<p>Hi <img src="cid:logo@x"> <img src="cid:page@x"></p>',
      hasAttachments: true,
    })
    .returning();
  messageId = message!.id;
  await db.insert(schema.messageSources).values({ messageId, source: SOURCE, sha256: 'x' });
  const add = async (
    key: string,
    values: {
      filename: string | null;
      originalFilename?: string | null;
      contentType: string;
      contentId?: string;
      content?: Buffer;
    },
  ) => {
    const content = values.content ?? Buffer.from(`content of ${key}`);
    const [row] = await db
      .insert(schema.attachments)
      .values({ messageId, checksum: 'x', size: content.length, content, ...values })
      .returning();
    parts[key] = row!.id;
  };
  await add('html', { filename: 'invoice.html', contentType: 'text/html; charset=utf-8' });
  await add('exe', {
    filename: '../../x.exe',
    originalFilename: '../../x.exe',
    contentType: 'application/x-msdownload',
  });
  await add('unicode', { filename: 'Rechnung März “final”.pdf', contentType: 'application/pdf' });
  await add('logo', {
    filename: 'logo.png',
    contentType: 'image/png',
    contentId: 'logo@x',
    content: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
  });
  await add('page', { filename: 'page.svg', contentType: 'image/svg+xml', contentId: 'page@x' });
});
afterAll(async () => {
  await closeDatabase?.();
  await database?.drop();
});

describe('download headers', () => {
  it('sends active or malformed content types as opaque bytes and keeps the harmless ones', () => {
    for (const type of [
      'text/html',
      'TEXT/HTML; charset=utf-8',
      'application/xhtml+xml',
      'image/svg+xml',
      'text/xml',
      'application/xml',
      'application/javascript',
      'text/javascript',
      'application/x-javascript',
      'text/ecmascript',
      'text/vbscript',
      'application/x-shockwave-flash',
      'text/x-component',
      'multipart/x-mixed-replace',
      'text/html\r\nX-Evil: 1',
      'nonsense',
      '',
      null,
    ]) {
      expect(downloadContentType(type), String(type)).toBe('application/octet-stream');
    }
    expect(downloadContentType('application/PDF; name="a.pdf"')).toBe('application/pdf');
    expect(downloadContentType('image/png')).toBe('image/png');
    expect(downloadContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
  });

  it('names files safely: no path, an ASCII fallback and the exact UTF-8 name', () => {
    expect(downloadFilename({ filename: '../../x.exe' }, 'f')).toBe('x.exe');
    expect(downloadFilename({ filename: null, originalFilename: 'C:\\Users\\..\\evil\u202egpj.exe' }, 'f')).toBe(
      'evilgpj.exe',
    );
    expect(downloadFilename({ filename: '...', originalFilename: null }, 'attachment-3')).toBe('attachment-3');
    expect(contentDisposition('attachment', 'Rechnung März “final”.pdf')).toBe(
      `attachment; filename="Rechnung Marz _final_.pdf"; filename*=UTF-8''Rechnung%20M%C3%A4rz%20%E2%80%9Cfinal%E2%80%9D.pdf`,
    );
    expect(contentDisposition('attachment', `a"b\\c;d%e'(f).txt`)).toBe(
      `attachment; filename="a_b_c_d_e'(f).txt"; filename*=UTF-8''a%22b%5Cc%3Bd%25e%27%28f%29.txt`,
    );
    expect(contentDisposition('inline', '日本.png')).toBe(
      `inline; filename="__.png"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png`,
    );
  });
});

describe('attachment and source responses (rows stored with their bytes, before migration 0006)', () => {
  it('serves an HTML attachment as an octet-stream download, never inline', async () => {
    const response = await downloads.attachmentResponse(db, messageId, parts.html!, { inline: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="invoice\.html"/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('content of html');
  });

  it('downloads a path-like name under its last segment', async () => {
    const response = await downloads.attachmentResponse(db, messageId, parts.exe!, { inline: false });
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="x.exe"; filename*=UTF-8''x.exe`);
    expect(response.headers.get('content-type')).toBe('application/x-msdownload'); // a download either way: only active types are rewritten
  });

  it('serves inline only safe raster images, and only when asked', async () => {
    const png = await downloads.attachmentResponse(db, messageId, parts.logo!, { inline: true });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(
      (await downloads.attachmentResponse(db, messageId, parts.logo!, { inline: false })).headers.get(
        'content-disposition',
      ),
    ).toMatch(/^attachment; /);
    const svg = await downloads.attachmentResponse(db, messageId, parts.page!, { inline: true });
    expect(svg.headers.get('content-type')).toBe('application/octet-stream');
    expect(svg.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('answers 404 for an attachment of another message', async () => {
    expect((await downloads.attachmentResponse(db, messageId + 1, parts.logo!, { inline: false })).status).toBe(404);
  });

  it('returns the stored source byte for byte as message/rfc822', async () => {
    const response = await downloads.messageSourceResponse(db, messageId);
    expect(response.headers.get('content-type')).toBe('message/rfc822');
    expect(response.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="message-${messageId}\\.eml"`),
    );
    expect(Buffer.from(await response.arrayBuffer()).equals(SOURCE)).toBe(true);
    expect((await downloads.messageSourceResponse(db, messageId + 1000)).status).toBe(404);
  });
});

describe('attachments stored without their bytes', () => {
  // Every byte value, base64 and quoted-printable bodies, a truncated last part: what the sync stores since 0006.
  const binary = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 8)) % 256));
  const text = Buffer.from('Zeile mit Umlaut ä, trailing space \r\nand a very long line '.repeat(50), 'utf8');
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200', 'hex');
  const tail = Buffer.from('cut off without its closing boundary');
  const qp = (bytes: Buffer) => {
    const tokens = [...bytes].map((b) =>
      b === 0x3d || b > 0x7e || b < 0x20 ? `=${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b),
    );
    if (tokens.at(-1) === ' ') tokens[tokens.length - 1] = '=20'; // decoders drop trailing white space
    const lines = [''];
    for (const token of tokens) {
      if (lines.at(-1)!.length + token.length > 72) lines.push('');
      lines[lines.length - 1] += token;
    }
    return lines.join('=\r\n'); // soft line breaks, never inside an =XX escape
  };
  const base64 = (bytes: Buffer) => bytes.toString('base64').replace(/(.{76})/g, '$1\r\n');
  const SOURCE_WITH_FILES = Buffer.from(
    [
      'From: a@fabrikam.test',
      'To: alice@contoso.test',
      'Subject: files',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: multipart/related; boundary="b2"',
      '',
      '--b2',
      'Content-Type: text/html',
      '',
      '<p><img src="cid:logo@x"></p>',
      '--b2',
      'Content-Type: image/png',
      'Content-ID: <logo@x>',
      'Content-Disposition: inline',
      'Content-Transfer-Encoding: base64',
      '',
      base64(png),
      '--b2--',
      '--b1',
      'Content-Type: application/octet-stream; name="data.bin"',
      'Content-Disposition: attachment; filename="data.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      base64(binary),
      '--b1',
      'Content-Type: text/plain; charset=utf-8; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      qp(text),
      '--b1',
      'Content-Type: application/octet-stream; name="again.bin"',
      'Content-Disposition: attachment; filename="again.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      base64(binary),
      '--b1',
      'Content-Type: application/octet-stream; name="tail.bin"',
      'Content-Disposition: attachment; filename="tail.bin"',
      '',
      tail.toString(),
    ].join('\r\n'),
  );
  const stored: { filename: string | null; id: number }[] = [];
  let filesMessageId: number;

  beforeAll(async () => {
    const { parseMessage } = await import('@/lib/mail/parse');
    const { insertMessageBatch } = await import('@/lib/db/queries/message-batches');
    const [account] = await db.select().from(schema.mailAccounts);
    const parsed = await parseMessage(SOURCE_WITH_FILES);
    expect(parsed.parseError).toBeNull();
    const created = await db.transaction((tx) =>
      insertMessageBatch(tx, [
        {
          message: {
            accountId: account!.id,
            folder: 'INBOX',
            uidValidity: 1,
            uid: 2,
            size: SOURCE_WITH_FILES.length,
            internalDate: new Date(),
            hasAttachments: true,
          },
          source: { bytes: SOURCE_WITH_FILES, sha256: 'x' },
          attachments: parsed.attachments,
        },
      ]),
    );
    filesMessageId = created.get(2)!;
    const rows = await db
      .select()
      .from(schema.attachments)
      .where(eq(schema.attachments.messageId, filesMessageId))
      .orderBy(schema.attachments.id);
    expect(rows.map((row) => row.content)).toEqual([null, null, null, null, null]);
    stored.push(...rows.map((row) => ({ filename: row.filename, id: row.id })));
  });

  it('decodes each one from the stored source byte for byte', async () => {
    const expected: Record<string, Buffer> = {
      'logo.png': png,
      'data.bin': binary,
      'notes.txt': text,
      'again.bin': binary,
      'tail.bin': tail,
    };
    expect(stored.map((row) => row.filename)).toEqual([null, 'data.bin', 'notes.txt', 'again.bin', 'tail.bin']);
    for (const [index, row] of stored.entries()) {
      const response = await downloads.attachmentResponse(db, filesMessageId, row.id, { inline: false });
      expect(response.status).toBe(200);
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.equals(expected[row.filename ?? 'logo.png']!), `attachment ${index}`).toBe(true);
      expect(response.headers.get('content-length')).toBe(String(body.length));
    }
  });

  it('answers 404 when the source no longer yields the stored checksum', async () => {
    await db
      .update(schema.attachments)
      .set({ checksum: 'f'.repeat(64) })
      .where(eq(schema.attachments.id, stored[1]!.id));
    expect((await downloads.attachmentResponse(db, filesMessageId, stored[1]!.id, { inline: false })).status).toBe(404);
  });
});

describe('the message routes', () => {
  const get = (path: string, headers: Record<string, string> = {}) =>
    new Request(`http://127.0.0.1${path}`, { headers });
  const params = <T>(value: T) => ({ params: Promise.resolve(value) });

  it('refuse a caller without a session: 401 for fetches, sign-in for a browser navigating', async () => {
    session.admin = null;
    const body = await import('@/app/api/v1/messages/[id]/body/route');
    const source = await import('@/app/api/v1/messages/[id]/source/route');
    const attachment = await import('@/app/api/v1/messages/[id]/attachments/[attachmentId]/route');
    const id = String(messageId);
    expect((await body.GET(get(`/api/v1/messages/${id}/body`), params({ id }))).status).toBe(401);
    expect((await source.GET(get(`/api/v1/messages/${id}/source`), params({ id }))).status).toBe(401);
    const anonymous = await attachment.GET(get('/x'), params({ id, attachmentId: String(parts.logo) }));
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'Sign in first.' });
    const navigating = await source.GET(get('/x', { 'sec-fetch-mode': 'navigate' }), params({ id }));
    expect([navigating.status, navigating.headers.get('location')]).toEqual([303, '/sign-in']);
  });

  it('answer 404 for ids that are not ids, and serve the sanitized body with its CSP', async () => {
    session.admin = { id: 'a', email: 'ada@example.com', name: null };
    const body = await import('@/app/api/v1/messages/[id]/body/route');
    const attachment = await import('@/app/api/v1/messages/[id]/attachments/[attachmentId]/route');
    for (const id of ['0', '-1', 'abc', '1.5', '99999999999999999999', '1e3']) {
      expect((await body.GET(get('/x'), params({ id }))).status, id).toBe(404);
    }
    expect((await attachment.GET(get('/x'), params({ id: String(messageId), attachmentId: 'x' }))).status).toBe(404);

    const id = String(messageId);
    const framed = await body.GET(get(`/api/v1/messages/${id}/body`), params({ id }));
    expect(framed.headers.get('content-security-policy')).toContain("img-src 'self' data:;");
    expect(framed.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await framed.text();
    expect(html).toMatch(
      new RegExp(
        `<img src="/api/v1/messages/${id}/attachments/${parts.logo}\\?inline=1&amp;token=\\d+\\.[\\w-]{43}" />`,
      ),
    );
    expect(html).not.toContain('cid:'); // the SVG part is not an inline-safe image: its reference is dropped
    const remote = await body.GET(get(`/api/v1/messages/${id}/body?remote=1`), params({ id }));
    expect(remote.headers.get('content-security-policy')).toContain("img-src 'self' data: https:;");
  });
});

describe('inline images of the sandboxed body frame', () => {
  const get = (path: string) => new Request(`http://127.0.0.1${path}`);
  const params = (id: number, attachmentId: number) => ({
    params: Promise.resolve({ id: String(id), attachmentId: String(attachmentId) }),
  });

  it('load without a session cookie on the token the body route signed, for that image only', async () => {
    session.admin = null;
    const { signInlineImage } = await import('@/lib/messages/inline-image-token');
    const route = await import('@/app/api/v1/messages/[id]/attachments/[attachmentId]/route');
    const token = signInlineImage(messageId, parts.logo!);
    const image = await route.GET(get(`/x?inline=1&token=${token}`), params(messageId, parts.logo!));
    expect(image.status).toBe(200);
    expect(image.headers.get('content-disposition')).toMatch(/^inline; /);

    // Another attachment, a tampered or expired token, or a part that is not a raster image: no way in.
    expect((await route.GET(get(`/x?inline=1&token=${token}`), params(messageId, parts.html!))).status).toBe(401);
    expect(
      (await route.GET(get(`/x?inline=1&token=${token.slice(0, -2)}AA`), params(messageId, parts.logo!))).status,
    ).toBe(401);
    const expired = signInlineImage(messageId, parts.logo!, Date.now() - 16 * 60_000);
    expect((await route.GET(get(`/x?inline=1&token=${expired}`), params(messageId, parts.logo!))).status).toBe(401);
    const svgToken = signInlineImage(messageId, parts.page!);
    expect((await route.GET(get(`/x?inline=1&token=${svgToken}`), params(messageId, parts.page!))).status).toBe(404);
  });
});
