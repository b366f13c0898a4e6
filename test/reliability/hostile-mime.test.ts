/**
 * Hostile input, part 1: a corpus of malformed and adversarial MIME (support/hostile-corpus.ts) written into
 * Dovecot's maildir ahead of ordinary mail, then one sync run. Every message must be stored byte-exact as the
 * server serves it, parse errors only where reading truly fails, the ordinary mail after it in the same run, and
 * attachment names that leave the download route safe.
 */
import { Parser } from 'htmlparser2';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareWithServer } from '@/test/reliability/support/exactness';
import {
  hostileCorpus,
  ordinaryMessages,
  type HostileFamily,
  type HostileMessage,
} from '@/test/reliability/support/hostile-corpus';
import { recordScenario } from '@/test/reliability/support/scenarios';
import { serverSources, startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import type { AccountSyncReport } from '@/lib/sync/types';

// The download and body routes read the session through currentAdmin(); here an admin is always signed in.
vi.mock('@/lib/auth/require-admin', () => ({
  currentAdmin: async () => ({ id: '00000000-0000-4000-8000-000000000001', email: 'ada@example.com', name: 'Ada' }),
  requireAdmin: async () => {
    throw new Error('pages are not under test here');
  },
}));

const GROUP = 'hostile input';
const ADDRESS = 'hostile@contoso.test';
// Small, so the oversize message stays cheap; the product default is 50 MB (SyncDeps.maxMessageBytes).
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024; // above the corpus's 1 MB header messages
const ORDINARY = 25;

interface StoredRow {
  id: number;
  uid: number;
  subject: string | null;
  from_address: string | null;
  to_count: number;
  cc_count: number;
  text: string | null;
  html: string | null;
  parse_error: string | null;
  skipped_reason: string | null;
  has_source: boolean;
}

interface StoredAttachment {
  id: number;
  message_id: number;
  filename: string | null;
  original_filename: string | null;
}

let bed: SyncTestbed;
let accountId: string;
let corpus: HostileMessage[];
let report: AccountSyncReport | undefined;
let server: Map<number, string>;
let rowsByUid: Map<number, StoredRow[]>;
let attachmentsByMessage: Map<number, StoredAttachment[]>;
let peakRssMb = 0;

const uidOf = (message: HostileMessage) => corpus.indexOf(message) + 1;
const rowOf = (message: HostileMessage): StoredRow => {
  const rows = rowsByUid.get(uidOf(message)) ?? [];
  expect(rows, message.name).toHaveLength(1);
  return rows[0] as StoredRow;
};
const family = (name: HostileFamily) => corpus.filter((message) => message.family === name);

beforeAll(async () => {
  bed = await startSyncTestbed();
  accountId = await bed.addAccount(ADDRESS);
  corpus = hostileCorpus({ to: ADDRESS, maxMessageBytes: MAX_MESSAGE_BYTES });
  const status = await bed.harness.seed.raw(ADDRESS, [
    ...corpus.map((message) => message.raw),
    ...ordinaryMessages(ADDRESS, ORDINARY),
  ]);
  expect(status.messages).toBe(corpus.length + ORDINARY);

  const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, process.memoryUsage().rss / 1024 / 1024)), 50);
  try {
    const run = await import('@/lib/sync/run');
    const result = await run.runSync(bed.deps({ maxMessageBytes: MAX_MESSAGE_BYTES }), {
      trigger: 'manual',
      accountIds: [accountId],
    });
    report = result.accounts[0];
  } finally {
    clearInterval(sampler);
  }
  server = await serverSources(bed.harness, ADDRESS, await bed.tokenFor(ADDRESS));

  const rows = (await bed.db.execute(sql`
    select m.id::int as id, m.uid::int as uid, m.subject, m.from_address, cardinality(m.to_addresses) as to_count,
      cardinality(m.cc_addresses) as cc_count, m.text, m.html, m.parse_error, m.skipped_reason, s.message_id is not null as has_source
    from messages m left join message_sources s on s.message_id = m.id
    where m.account_id = ${accountId} order by m.uid
  `)) as unknown as StoredRow[];
  rowsByUid = new Map();
  for (const row of rows) rowsByUid.set(row.uid, [...(rowsByUid.get(row.uid) ?? []), row]);
  const schema = await import('@/lib/db/schema');
  const parts = (await bed.db
    .select({
      id: schema.attachments.id,
      message_id: schema.attachments.messageId,
      filename: schema.attachments.filename,
      original_filename: schema.attachments.originalFilename,
    })
    .from(schema.attachments)
    .where(
      inArray(
        schema.attachments.messageId,
        rows.map((row) => row.id),
      ),
    )) as StoredAttachment[];
  attachmentsByMessage = new Map();
  for (const part of parts)
    attachmentsByMessage.set(part.message_id, [...(attachmentsByMessage.get(part.message_id) ?? []), part]);
}, 600_000);

afterAll(() => bed?.stop());

/** Lost, duplicated and altered counts for some UIDs (compareWithServer's rules, one family at a time). */
function exactnessOf(uids: number[]) {
  let stored = 0;
  let lost = 0;
  let duplicated = 0;
  for (const uid of uids) {
    const rows = rowsByUid.get(uid) ?? [];
    stored += rows.length;
    if (rows.length === 0) lost += 1;
    duplicated += Math.max(0, rows.length - 1);
  }
  return { expected: uids.filter((uid) => server.has(uid)).length, stored, lost, duplicated };
}

/** Every message of the family stored once; parse_error exactly where the corpus says reading must fail. */
function checkFamilyRows(messages: HostileMessage[]) {
  for (const message of messages) {
    const row = rowOf(message);
    if (message.parseFails) expect(row.parse_error, message.name).not.toBeNull();
    else expect(row.parse_error, message.name).toBeNull();
    if (!message.oversize) {
      expect(row.has_source, message.name).toBe(true);
      expect(row.skipped_reason, message.name).toBeNull();
    }
  }
}

async function recordFamily(name: HostileFamily, note: string) {
  const messages = family(name);
  const counts = exactnessOf(messages.map(uidOf));
  const failed = messages.filter((message) => rowOf(message).parse_error !== null).length;
  await recordScenario({
    group: GROUP,
    scenario: `${name} (${messages.length} message${messages.length === 1 ? '' : 's'})`,
    ...counts,
    note: `parse_error ${failed}/${messages.length}; ${note}`,
  });
}

// A stored or served file name: one path segment, no control, bidi or zero-width characters, no leading dot.
const UNSAFE_NAME = /[/\\\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]|^\.|^$/;

/** Both names of an RFC 6266 Content-Disposition: the quoted ASCII one and the decoded `filename*`. */
function dispositionNames(header: string): string[] {
  const quoted = /filename="([^"]*)"/.exec(header)?.[1];
  const extended = /filename\*=UTF-8''([^;]*)/.exec(header)?.[1];
  return [quoted ?? '', decodeURIComponent(extended ?? '')];
}

describe('hostile input', () => {
  it('stores the whole corpus and the ordinary mail after it in one run, byte-exact as Dovecot serves it', async () => {
    const oversize = corpus.filter((message) => message.oversize);
    expect(report).toMatchObject({ outcome: 'success', fetched: corpus.length + ORDINARY });
    const exact = await compareWithServer(bed.db, accountId, server);
    expect(exact).toMatchObject({
      expected: corpus.length + ORDINARY,
      stored: corpus.length + ORDINARY,
      lost: 0,
      duplicated: 0,
    });
    // The oversize message is kept as headers only, so it alone has no source to compare.
    expect(exact.altered).toBe(oversize.length);
    for (const message of oversize) expect(rowOf(message).has_source).toBe(false);

    for (let uid = corpus.length + 1; uid <= corpus.length + ORDINARY; uid += 1) {
      const [row] = rowsByUid.get(uid) ?? [];
      expect(row).toMatchObject({
        subject: `Ordinary message ${uid - corpus.length}`,
        parse_error: null,
        skipped_reason: null,
        has_source: true,
      });
    }
    await recordScenario({
      group: GROUP,
      scenario: `whole corpus + ${ORDINARY} ordinary after it, one run`,
      expected: exact.expected,
      stored: exact.stored,
      lost: exact.lost,
      duplicated: exact.duplicated,
      note: `${corpus.length} hostile; altered ${exact.altered} (the oversize headers-only row); outcome ${report?.outcome}; peak RSS ${Math.round(peakRssMb)} MB`,
    });
  });

  it('reads bad charsets and transfer encodings without a parse error', async () => {
    const messages = family('charsets');
    checkFamilyRows(messages);
    for (const message of messages) expect(rowOf(message).text ?? rowOf(message).html, message.name).toBeTruthy();
    await recordFamily('charsets', 'text stored for each; undeclared windows-1252 shows U+FFFD (raw kept)');
  });

  it('marks multiparts whose boundary never matches, and reads the unterminated and odd ones', async () => {
    const messages = family('multipart');
    checkFamilyRows(messages);
    // Where the structure cannot be read, the raw body is shown rather than nothing.
    for (const message of messages.filter((m) => m.parseFails)) expect(rowOf(message).text, message.name).toBeTruthy();
    expect(rowOf(messages.find((m) => m.name === 'multipart/unterminated')!).text).toContain('the first part');
    await recordFamily('multipart', 'raw body shown where boundaries never match');
  });

  it('reads 20 levels of nesting and refuses 200 and 5,000 with the headers kept', async () => {
    const messages = family('nesting');
    checkFamilyRows(messages);
    expect(rowOf(messages.find((m) => m.name === 'nesting/multipart-20')!).text).toContain('the bottom');
    for (const message of messages.filter((m) => m.parseFails)) {
      expect(rowOf(message).parse_error, message.name).toMatch(/nested more than/);
      expect(rowOf(message).subject, message.name).toMatch(/^Nested \d+ levels/);
    }
    await recordFamily('nesting', 'depth 200/5000 refused before mailparser recursed; subject kept');
  });

  it('survives a 1 MB header line, 10,000 headers and a 1 MB folded subject, keeping the sender', async () => {
    const messages = family('huge headers');
    checkFamilyRows(messages);
    for (const message of messages)
      expect(rowOf(message).from_address, message.name).toBe('Mallory <mallory@adversary.test>');
    expect(rowOf(messages.find((m) => m.name === 'huge headers/10000-headers')!)).toMatchObject({
      subject: 'Ten thousand headers',
      text: expect.stringContaining('ten thousand headers'),
    });
    await recordFamily('huge headers', 'From/To read even where mailparser refuses the header block');
  });

  it('keeps thousands of recipients and survives a malformed address list', async () => {
    const messages = family('recipients');
    checkFamilyRows(messages);
    const many = rowOf(messages.find((m) => m.recipients)!);
    expect(many.to_count + many.cc_count).toBe(7_000);
    await recordFamily('recipients', '5,000 To + 2,000 Cc stored');
  });

  it('stores NULs in the source while the parsed fields drop them', async () => {
    const messages = family('nul bytes');
    checkFamilyRows(messages);
    // Dovecot serves a stored NUL as 0x80, which is not UTF-8: the text shows U+FFFD where the NULs were.
    expect(rowOf(messages.find((m) => m.name === 'nul bytes/in-body')!).text).toMatch(/^before\ufffdafter\ufffd\ufffd/);
    expect(rowOf(messages.find((m) => m.name === 'nul bytes/in-headers')!).subject).toBe('NUL\ufffd in the subject');
    // Encoded NULs do reach the parser: Postgres would refuse them in text (22021) and fail the batch.
    expect(rowOf(messages.find((m) => m.name === 'nul bytes/encoded')!)).toMatchObject({
      subject: 'encodednul',
      text: 'encodednultext',
    });
    await recordFamily('nul bytes', 'raw NUL served as 0x80 by Dovecot; encoded NULs stripped, batch not failed');
  });

  it('stores bare LF, bare CR, mixed endings and a message without a body', async () => {
    const messages = family('line endings');
    checkFamilyRows(messages);
    expect(rowOf(messages.find((m) => m.name === 'line endings/bare-lf')!)).toMatchObject({
      subject: 'Bare LF throughout',
      text: 'line one\nline two',
    });
    // Lines ended by CR alone (old Mac mailers) are still lines: headers and text are read, not one long header.
    expect(rowOf(messages.find((m) => m.name === 'line endings/bare-cr')!)).toMatchObject({
      subject: 'Bare CR throughout',
      from_address: 'Mallory <mallory@adversary.test>',
      text: 'old Mac line one\nline two\n',
    });
    await recordFamily('line endings', 'source compared after Dovecot’s LF→CRLF');
  });

  it('decodes RFC 2231 continuations and charsets, and edge cases do not break the message', async () => {
    const messages = family('rfc2231');
    checkFamilyRows(messages);
    const names = (name: string) =>
      (attachmentsByMessage.get(rowOf(messages.find((m) => m.name === name)!).id) ?? []).map((a) => a.filename);
    expect(names('rfc2231/continuations')).toEqual(['€ rate report.pdf']);
    expect(names('rfc2231/traversal-in-extended-value')).toEqual(['evil.sh']);
    await recordFamily('rfc2231', 'continuations joined, extended value wins, path stripped');
  });

  it('decodes RFC 2047 encoded words and leaves malformed ones as text', async () => {
    const messages = family('rfc2047');
    checkFamilyRows(messages);
    const subject = (name: string) => rowOf(messages.find((m) => m.name === name)!).subject;
    expect(subject('rfc2047/mixed-and-split-multibyte')).toBe('é plain café€ end');
    expect(subject('rfc2047/overlong-word')).toBe('ø'.repeat(2000)); // the stored subject is capped at 2,000 characters
    expect(subject('rfc2047/malformed')).toContain('unterminated');
    await recordFamily('rfc2047', 'mixed and split words decoded; NUL dropped from the subject');
  });

  it('stores and serves only safe attachment names, whatever the message said', async () => {
    const { GET } = await import('@/app/api/v1/messages/[id]/attachments/[attachmentId]/route');
    let served = 0;
    const withNames = corpus.filter((message) => message.attachmentNames);
    for (const message of withNames) {
      const row = rowOf(message);
      const parts = attachmentsByMessage.get(row.id) ?? [];
      expect(parts.length, message.name).toBeGreaterThanOrEqual(message.attachmentNames!.length);
      for (const part of parts) {
        if (part.filename !== null) expect(part.filename, message.name).not.toMatch(UNSAFE_NAME);
        expect(Array.from(part.filename ?? '').length, message.name).toBeLessThanOrEqual(200);
        const response = await GET(new Request(`http://127.0.0.1/api/v1/messages/${row.id}/attachments/${part.id}`), {
          params: Promise.resolve({ id: String(row.id), attachmentId: String(part.id) }),
        });
        expect(response.status, message.name).toBe(200);
        const disposition = response.headers.get('content-disposition') ?? '';
        expect(disposition, message.name).toMatch(/^attachment; /);
        for (const name of dispositionNames(disposition))
          expect(name, `${message.name}: ${disposition}`).not.toMatch(UNSAFE_NAME);
        expect(response.headers.get('content-type'), message.name).not.toMatch(/html|svg|xml|script/);
        served += 1;
      }
    }
    for (const message of family('attachment names')) {
      const [part] = attachmentsByMessage.get(rowOf(message).id) ?? [];
      // The name as sent stays on record (NULs removed, 1,000 characters at most) for the admin to see.
      expect(part?.original_filename, message.name).toBe(
        message.attachmentNames![0]!.replace(/\u0000/g, '').slice(0, 1000),
      );
    }
    checkFamilyRows(family('attachment names'));
    await recordFamily('attachment names', `${served} downloads from the route, every Content-Disposition name safe`);
  });

  it('records the oversize message as headers only with its skipped reason', async () => {
    const [message] = family('oversize');
    expect(rowOf(message!)).toMatchObject({
      subject: 'Over the size limit',
      from_address: 'Mallory <mallory@adversary.test>',
      text: null,
      has_source: false,
      skipped_reason: expect.stringMatching(
        /^too_large: about \d+ bytes, over the 2 MB limit; only the headers were stored$/,
      ),
    });
    await recordFamily(
      'oversize',
      `limit ${MAX_MESSAGE_BYTES / 1024 / 1024} MB by configuration; headers-only row, skipped_reason too_large`,
    );
  });

  it('serves active HTML only as inert markup under a strict policy', async () => {
    const { GET } = await import('@/app/api/v1/messages/[id]/body/route');
    const messages = family('html');
    checkFamilyRows(messages);
    let checked = 0;
    for (const message of messages.filter((m) => rowOf(m).html)) {
      const id = rowOf(message).id;
      const response = await GET(new Request(`http://127.0.0.1/api/v1/messages/${id}/body`), {
        params: Promise.resolve({ id: String(id) }),
      });
      expect(response.status, message.name).toBe(200);
      expect(response.headers.get('content-security-policy'), message.name).toMatch(
        // Sandboxed too, so the body opened on its own (outside the console's frame) has an opaque origin.
        /^default-src 'none';.*form-action 'none'; base-uri 'none'; sandbox allow-popups allow-popups-to-escape-sandbox$/,
      );
      expect(response.headers.get('content-security-policy'), message.name).not.toMatch(
        /script-src|frame-src|object-src/,
      );
      expect(activeMarkup(await response.text()), message.name).toEqual([]);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    await recordFamily(
      'html',
      `${checked} bodies: no script/frame/form/meta/base tags, no on* attributes, no script URLs`,
    );
  });
});

const ACTIVE_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'form',
  'input',
  'button',
  'meta',
  'base',
  'link',
  'svg',
  'math',
  'template',
  'noscript',
]);
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'data',
  'xlink:href',
  'background',
  'poster',
  'srcdoc',
]);

/** Everything in a served body that could run code, navigate or load from elsewhere (besides CSS, which the CSP governs). */
function activeMarkup(document: string): string[] {
  const found: string[] = [];
  let metaCount = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        // The frame document's own head carries exactly two <meta>s (charset and referrer policy).
        if (name === 'meta' && (attributes.charset === 'utf-8' || attributes.name === 'referrer') && ++metaCount <= 2)
          return;
        if (ACTIVE_TAGS.has(name)) found.push(`<${name}>`);
        for (const [attribute, value] of Object.entries(attributes)) {
          if (attribute.startsWith('on')) found.push(`${name}[${attribute}]`);
          if (
            URL_ATTRIBUTES.has(attribute) &&
            !/^(https?:|mailto:|tel:|\/api\/v1\/messages\/\d+\/attachments\/|data:image\/(png|jpeg|gif|webp);)/i.test(
              value.trim(),
            )
          ) {
            found.push(`${name}[${attribute}=${value.slice(0, 40)}]`);
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(document);
  return found;
}
