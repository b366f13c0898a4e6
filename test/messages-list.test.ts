import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import type { MessageFilters, MessagePage } from '@/lib/db/queries/messages';
import { configureTestEnvironment, createTestDatabase, type TestDatabase } from '@/test/support/database';

let database: TestDatabase;
let db: Db;
let q: typeof import('@/lib/db/queries/messages');
let schema: typeof import('@/lib/db/schema');
let closeDatabase: () => Promise<void>;
let alice: string;
let bob: string;
let nextUid = 1;

beforeAll(async () => {
  database = await createTestDatabase('mg_messages_list');
  configureTestEnvironment(database.url);
  const dbModule = await import('@/lib/db');
  db = await dbModule.getDb();
  closeDatabase = dbModule.closeDatabase;
  q = await import('@/lib/db/queries/messages');
  schema = await import('@/lib/db/schema');
  alice = await addAccount('alice@contoso.test', ['INBOX', 'Archive']);
  bob = await addAccount('bob@contoso.test', ['INBOX']);
});
afterAll(async () => {
  await closeDatabase?.();
  await database?.drop();
});

async function addAccount(address: string, folders: string[]): Promise<string> {
  const [row] = await db
    .insert(schema.mailAccounts)
    .values({
      emailAddress: address,
      homeAccountId: `home-${address}`,
      tenantId: 't',
      signInAddress: address,
      imapUser: address,
      folders,
    })
    .returning({ id: schema.mailAccounts.id });
  if (!row) throw new Error('no account');
  return row.id;
}

type NewMessage = Partial<typeof import('@/lib/db/schema').messages.$inferInsert>;

async function addMessages(accountId: string, values: NewMessage[]): Promise<number[]> {
  const rows = await db
    .insert(schema.messages)
    .values(
      values.map((v) => ({
        folder: 'INBOX',
        uidValidity: 1,
        uid: nextUid++,
        size: 100,
        internalDate: new Date(),
        ...v,
        accountId,
      })),
    )
    .returning({ id: schema.messages.id });
  return rows.map((row) => row.id);
}

/** Walks every page in one direction from a starting page, as the Older/Newer links do. */
async function walk(
  filters: MessageFilters,
  direction: 'older' | 'newer',
  first: MessagePage,
  limit: number,
  between?: () => Promise<void>,
) {
  const seen = [...first.rows.map((row) => row.id)];
  let page = first;
  for (let guard = 0; guard < 500; guard += 1) {
    const more = direction === 'older' ? page.hasOlder : page.hasNewer;
    const edge = direction === 'older' ? page.rows.at(-1) : page.rows.at(0);
    if (!more || !edge) return seen;
    await between?.();
    page = await q.listMessagePage(db, filters, { cursor: edge.position, direction, limit });
    if (direction === 'older') seen.push(...page.rows.map((row) => row.id));
    else seen.unshift(...page.rows.map((row) => row.id));
  }
  throw new Error('did not reach the end');
}

describe('the message list', () => {
  it('pages newest first with every row exactly once, even while newer mail arrives', async () => {
    const base = Date.UTC(2030, 0, 1);
    // Groups of 5 share an internal date: only the id tie-break orders them.
    const ids = await addMessages(
      bob,
      Array.from({ length: 103 }, (_, i) => ({
        folder: 'Paging',
        internalDate: new Date(base + Math.floor(i / 5) * 60_000),
      })),
    );
    // Two rows apart by microseconds only: a millisecond cursor would confuse them.
    const [early] = await addMessages(bob, [{ folder: 'Paging', internalDate: new Date(base - 1000) }]);
    const [late] = await addMessages(bob, [{ folder: 'Paging', internalDate: new Date(base - 1000) }]);
    await db.execute(
      sql`update messages set internal_date = internal_date + interval '7 microseconds' where id = ${early}`,
    );
    await db.execute(
      sql`update messages set internal_date = internal_date + interval '3 microseconds' where id = ${late}`,
    );
    const expected = [
      ...[...ids].sort((a, b) => {
        const group = (id: number) => Math.floor(ids.indexOf(id) / 5);
        return group(b) - group(a) || b - a;
      }),
      early,
      late,
    ];

    const filters = { accountId: bob, folder: 'Paging' };
    const first = await q.listMessagePage(db, filters, { direction: 'older', limit: 10 });
    expect(first.hasNewer).toBe(false);
    let arrivals = 0;
    const older = await walk(filters, 'older', first, 10, async () => {
      arrivals += 1;
      await addMessages(bob, [{ folder: 'Paging', internalDate: new Date(base + 86_400_000 + arrivals) }]);
    });
    expect(older).toEqual(expected);

    // Back up from the last page: the newer links reach the new arrivals too, each once, in order.
    const last = await q.listMessagePage(db, filters, {
      cursor: { micros: '-1', id: 1 },
      direction: 'newer',
      limit: 10,
    });
    const all = await walk(filters, 'newer', last, 10);
    expect(all.slice(arrivals)).toEqual(expected);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(expected.length + arrivals);
  });

  it('finds messages by a subject word, a body word, the sender, a phrase, and honours exclusions', async () => {
    const [invoice, report] = await addMessages(alice, [
      {
        subject: 'Quarterly invoice 2031',
        fromAddress: 'Billing <billing@fabrikam.test>',
        text: 'Please find the payment schedule attached.',
      },
      {
        subject: 'Weekly report',
        fromAddress: 'ops@contoso.test',
        text: 'Nothing about payments here, only zebrafish statistics.',
      },
    ]);
    const ids = async (search: string, extra: MessageFilters = {}) =>
      (await q.listMessagePage(db, { search, ...extra }, { direction: 'older', limit: 50 })).rows.map((row) => row.id);

    expect(await ids('invoice')).toEqual([invoice]);
    expect(await ids('zebrafish')).toEqual([report]);
    expect(await ids('billing@fabrikam.test')).toEqual([invoice]);
    expect(await ids('"payment schedule"')).toEqual([invoice]);
    expect(await ids('report -zebrafish')).toEqual([]);
    expect(await ids('invoice', { accountId: bob })).toEqual([]);
    // Operators alone, or an unclosed quote, are not errors: they match nothing or what they can.
    expect(await ids('!!! &&')).toEqual([]);
    expect(await ids('"zebrafish')).toEqual([report]);
  });

  it('pages through search results whether they come from the newest rows or from the index', async () => {
    const account = await addAccount('search-paging@contoso.test', ['INBOX']);
    const base = Date.UTC(2029, 0, 1);
    // 1,200 rows; every 25th mentions kiwi: a page of 10 fills from the newest 500 rows at first, later not.
    const ids = await addMessages(
      account,
      Array.from({ length: 1200 }, (_, i) => ({
        internalDate: new Date(base + i * 1000),
        subject: i % 25 === 0 ? `kiwi report ${i}` : `plain report ${i}`,
      })),
    );
    const newestFirst = (list: number[]) => [...list].reverse();
    const kiwi = newestFirst(ids.filter((_, i) => i % 25 === 0));
    for (const [search, expected] of [
      ['kiwi', kiwi],
      ['report', newestFirst(ids)],
    ] as const) {
      const filters = { accountId: account, search };
      const first = await q.listMessagePage(db, filters, { direction: 'older', limit: 10 });
      expect(await walk(filters, 'older', first, 10)).toEqual(expected);
    }
  });

  it('reads rare matches from the messages_search index (the query repeats its expression exactly)', async () => {
    const statement = q
      .messagePageQuery(db, { search: 'invoice' }, { direction: 'older', limit: 50 }, 'search-index')
      .toSQL();
    const client = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const plan = await client.begin(async (tx) => {
        // As listMessagePage runs it; a table this small would otherwise be read whole.
        await tx`set local enable_indexscan = off`;
        await tx`set local enable_seqscan = off`;
        return tx.unsafe(`explain ${statement.sql}`, statement.params as postgres.ParameterOrJSON<never>[]);
      });
      expect(plan.map((row) => String(row['QUERY PLAN'])).join('\n')).toContain('messages_search');
    } finally {
      await client.end();
    }
  });

  it('filters by account, folder, attachments, parse errors and skipped messages', async () => {
    const account = await addAccount('filters@contoso.test', ['INBOX', 'Archive']);
    const [plain, withFile, broken, skipped, archived] = await addMessages(account, [
      {},
      { hasAttachments: true },
      { parseError: 'The message could not be parsed: boom' },
      { skippedReason: 'too_large: 60000000 bytes, over the 50 MB limit; only the headers were stored' },
      { folder: 'Archive' },
    ]);
    const ids = async (filters: MessageFilters) =>
      (await q.listMessagePage(db, { accountId: account, ...filters }, { direction: 'older', limit: 50 })).rows
        .map((row) => row.id)
        .sort((a, b) => a - b);

    expect(await ids({})).toEqual([plain, withFile, broken, skipped, archived]);
    expect(await ids({ folder: 'Archive' })).toEqual([archived]);
    expect(await ids({ hasAttachments: true })).toEqual([withFile]);
    expect(await ids({ parseError: true })).toEqual([broken]);
    expect(await ids({ skipped: true })).toEqual([skipped]);
    const [row] = (await q.listMessagePage(db, { accountId: account, skipped: true }, { direction: 'older', limit: 1 }))
      .rows;
    expect(row).toMatchObject({ skipped: true, hasParseError: false, hasAttachments: false });
  });

  it('counts messages per UTC day for the chart, only inside the window', async () => {
    const account = await addAccount('chart@contoso.test', ['INBOX']);
    const now = new Date('2031-03-31T12:00:00Z');
    await addMessages(account, [
      { internalDate: new Date('2031-03-30T23:59:59Z') },
      { internalDate: new Date('2031-03-31T00:00:01Z') },
      { internalDate: new Date('2031-03-31T08:00:00Z') },
      { internalDate: new Date('2031-03-02T00:00:00Z') }, // first day of the 30-day window
      { internalDate: new Date('2031-03-01T23:59:59Z') }, // the day before it
    ]);
    const { fillDailySeries, windowStart } = await import('@/lib/messages/daily-series');
    const series = fillDailySeries(await q.countMessagesPerDay(db, account, windowStart(now, 30)), now, 30);
    expect(series).toHaveLength(30);
    expect(series[0]).toEqual({ day: '2031-03-02', count: 1 });
    expect(series.at(-2)).toEqual({ day: '2031-03-30', count: 1 });
    expect(series.at(-1)).toEqual({ day: '2031-03-31', count: 2 });
    expect(series.reduce((sum, entry) => sum + entry.count, 0)).toBe(4);
  });
});

describe('list URL parameters', () => {
  it('keeps good values, drops bad ones and names them, and never passes NUL to Postgres', async () => {
    const { parseMessageListQuery, messageListHref } = await import('@/lib/messages/list-params');
    const good = parseMessageListQuery({
      q: ' invoice ',
      account: alice,
      folder: 'INBOX',
      attachments: '1',
      errors: 'on',
      skipped: 'true',
      before: '1893456000000000-42',
    });
    expect(good).toEqual({
      filters: {
        search: 'invoice',
        accountId: alice,
        folder: 'INBOX',
        hasAttachments: true,
        parseError: true,
        skipped: true,
      },
      cursor: { micros: '1893456000000000', id: 42 },
      direction: 'older',
      ignored: [],
    });
    expect(messageListHref(good.filters, { after: { micros: '5', id: 7 } })).toBe(
      `/messages?q=invoice&account=${alice}&folder=INBOX&attachments=1&errors=1&skipped=1&after=5-7`,
    );

    const bad = parseMessageListQuery({
      q: 'a\u0000b',
      account: 'not-a-uuid',
      attachments: 'maybe',
      before: '12-0',
      after: ['x', 'y'],
    });
    expect(bad.filters).toEqual({});
    expect(bad.cursor).toBeUndefined();
    expect(bad.ignored).toEqual(['Search', 'Account', 'Has attachments', 'Page position']);
    expect(parseMessageListQuery({ q: 'x'.repeat(201) }).ignored).toEqual(['Search']);
  });
});
