import 'server-only';
import { and, asc, eq, getTableColumns, inArray, isNotNull, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db/types';
import { attachments, mailAccounts, messageSearchVector, messages, messageSources } from '@/lib/db/schema';
import { transaction } from '@/lib/db/transaction';

/** A position in the newest-first order: internal_date in microseconds since the epoch (exact), then id. */
export interface MessageCursor {
  micros: string;
  id: number;
}

export interface MessageFilters {
  accountId?: string;
  folder?: string;
  /** Web-search syntax ("quoted phrase", -not, or), matched as typed: the index uses the 'simple' configuration. */
  search?: string;
  hasAttachments?: boolean;
  parseError?: boolean;
  skipped?: boolean;
}

export interface MessagePageRequest {
  cursor?: MessageCursor;
  /** 'older' continues after the cursor; 'newer' walks back toward the newest message. */
  direction: 'older' | 'newer';
  limit: number;
}

export interface MessageListRow {
  id: number;
  accountId: string;
  folder: string;
  internalDate: Date;
  fromAddress: string | null;
  subject: string | null;
  snippet: string | null;
  hasAttachments: boolean;
  hasParseError: boolean;
  skipped: boolean;
  position: MessageCursor;
}

export interface MessagePage {
  rows: MessageListRow[];
  hasOlder: boolean;
  hasNewer: boolean;
}

// Exact: extract(epoch) is numeric since Postgres 14, and microseconds are timestamptz's precision.
const positionMicros = sql<string>`(extract(epoch from ${messages.internalDate}) * 1000000)::bigint::text`;
// Exactly the order of messages_newest / messages_account_newest (drizzle's .desc() builds DESC NULLS LAST), or
// Postgres sorts the whole table instead of reading the index: a plain DESC means NULLS FIRST. The columns are
// NOT NULL, but the planner matches the index order, not the constraints.
function walkOrder(t: { internalDate: SQLWrapper; id: SQLWrapper }, reversed: boolean): SQL[] {
  return reversed
    ? [sql`${t.internalDate} asc nulls first`, sql`${t.id} asc nulls first`]
    : [sql`${t.internalDate} desc nulls last`, sql`${t.id} desc nulls last`];
}
const cursorTime = (cursor: MessageCursor) =>
  sql`(timestamptz 'epoch' + ${cursor.micros}::bigint * interval '1 microsecond')`;

const searchCondition = (search: string) =>
  // The same expression as the messages_search GIN index, or the planner cannot use it.
  sql`${messageSearchVector(messages)} @@ websearch_to_tsquery('simple', ${search})`;

/** Every filter except the text search. */
function plainConditions(filters: MessageFilters): SQL[] {
  const conditions: (SQL | undefined)[] = [
    filters.accountId ? eq(messages.accountId, filters.accountId) : undefined,
    filters.folder ? eq(messages.folder, filters.folder) : undefined,
    filters.hasAttachments ? eq(messages.hasAttachments, true) : undefined,
    filters.parseError ? isNotNull(messages.parseError) : undefined,
    filters.skipped ? isNotNull(messages.skippedReason) : undefined,
  ];
  return conditions.filter((condition): condition is SQL => condition !== undefined);
}

function positionCondition(page: MessagePageRequest): SQL | undefined {
  if (!page.cursor) return undefined;
  return page.direction === 'newer'
    ? sql`(${messages.internalDate}, ${messages.id}) > (${cursorTime(page.cursor)}, ${page.cursor.id})`
    : sql`(${messages.internalDate}, ${messages.id}) < (${cursorTime(page.cursor)}, ${page.cursor.id})`;
}

/**
 * How a page is found. `ordered`: walk the newest-first index, filtering as it goes (every filter but search).
 * A search cannot trust the planner to choose between that and the GIN index: Postgres guesses 0.5% for any word
 * outside its statistics, and a wrong guess either recomputes to_tsvector for every row of the table (a rare word:
 * ~45 s at 1M rows) or sorts every match (a common word). So a search first tries `search-recent`, the text match
 * among the newest SEARCH_WINDOW rows only; when those hold less than a page, `search-index` reads all matches
 * from the GIN index (they are few then: under a tenth of the newest rows) and sorts them.
 */
export type PageStrategy = 'ordered' | 'search-recent' | 'search-index';
const SEARCH_WINDOW = 500;

const pageColumns = {
  id: messages.id,
  accountId: messages.accountId,
  folder: messages.folder,
  internalDate: messages.internalDate,
  fromAddress: messages.fromAddress,
  subject: messages.subject,
  snippet: messages.snippet,
  hasAttachments: messages.hasAttachments,
  hasParseError: sql<boolean>`(${messages.parseError} is not null)`.as('has_parse_error'),
  skipped: sql<boolean>`(${messages.skippedReason} is not null)`.as('skipped'),
  micros: positionMicros.as('micros'),
};

/** The statement behind `listMessagePage` (exported so tests can EXPLAIN it): limit + 1 rows in walking order. */
export function messagePageQuery(
  db: Db | Tx,
  filters: MessageFilters,
  page: MessagePageRequest,
  strategy: PageStrategy = 'ordered',
) {
  const reversed = page.direction === 'newer' && page.cursor !== undefined;
  const placed = and(...plainConditions(filters), positionCondition(page));
  const search = filters.search ? searchCondition(filters.search) : undefined;
  const rows = page.limit + 1; // one extra row says whether another page follows, without a count
  const recent = () =>
    db
      .select({ id: messages.id })
      .from(messages)
      .where(placed)
      .orderBy(...walkOrder(messages, reversed))
      .limit(SEARCH_WINDOW);
  const where = strategy === 'search-recent' ? and(inArray(messages.id, recent()), search) : and(placed, search);
  return db
    .select(pageColumns)
    .from(messages)
    .where(where)
    .orderBy(...walkOrder(messages, reversed))
    .limit(rows);
}

async function findPageRows(db: Db, filters: MessageFilters, page: MessagePageRequest) {
  if (!filters.search) return messagePageQuery(db, filters, page, 'ordered');
  const recent = await messagePageQuery(db, filters, page, 'search-recent');
  // A full page among the newest rows is exactly the answer: any later match is older than all of them.
  if (recent.length > page.limit) return recent;
  // Plain index scans off for this one statement: only bitmap scans remain, so the GIN index finds the matches
  // and they are sorted, instead of a walk of the newest-first index that tests every row.
  return transaction(
    db,
    async (tx) => {
      await tx.execute(sql`set local enable_indexscan = off`);
      return messagePageQuery(tx, filters, page, 'search-index');
    },
    { accessMode: 'read only' },
  );
}

/**
 * One page of the newest-first list, keyset-paged on (internal_date, id) so it walks the messages_newest /
 * messages_account_newest indexes and never counts or skips rows: pages stay put while new mail arrives.
 */
export async function listMessagePage(db: Db, filters: MessageFilters, page: MessagePageRequest): Promise<MessagePage> {
  const newer = page.direction === 'newer' && page.cursor !== undefined;
  const found = await findPageRows(db, filters, page);
  const more = found.length > page.limit;
  const rows = found.slice(0, page.limit).map(({ micros, ...row }) => ({ ...row, position: { micros, id: row.id } }));
  if (newer) rows.reverse();
  return {
    rows,
    // Arriving from a cursor means there was something on the other side of it.
    hasOlder: newer ? true : more,
    hasNewer: newer ? more : page.cursor !== undefined,
  };
}

export interface MessageAccountOption {
  id: string;
  emailAddress: string;
  folders: string[];
  removed: boolean;
}

/** Every account that may own stored mail, removed ones included (their mail is kept). */
export async function listMessageAccounts(db: Db): Promise<MessageAccountOption[]> {
  return db
    .select({
      id: mailAccounts.id,
      emailAddress: mailAccounts.emailAddress,
      folders: mailAccounts.folders,
      removed: sql<boolean>`(${mailAccounts.removedAt} is not null)`,
    })
    .from(mailAccounts)
    .orderBy(asc(mailAccounts.emailAddress), asc(mailAccounts.id));
}

const { html: _html, ...detailColumns } = getTableColumns(messages);
export type MessageDetail = Omit<typeof messages.$inferSelect, 'html'> & {
  hasHtml: boolean;
  accountAddress: string | null;
  /** Bytes of the stored raw source, or null when none was stored (e.g. an oversize message). */
  sourceSize: number | null;
};

/** The message without its HTML (the body route serves that), with its account and source size. */
export async function findMessage(db: Db, id: number): Promise<MessageDetail | undefined> {
  const [row] = await db
    .select({
      ...detailColumns,
      hasHtml: sql<boolean>`(${messages.html} is not null)`,
      accountAddress: mailAccounts.emailAddress,
      // octet_length reads the stored length without fetching the (possibly large) value.
      sourceSize: sql<number | null>`octet_length(${messageSources.source})`,
    })
    .from(messages)
    .leftJoin(mailAccounts, eq(mailAccounts.id, messages.accountId))
    .leftJoin(messageSources, eq(messageSources.messageId, messages.id))
    .where(eq(messages.id, id));
  return row ? { ...row, sourceSize: row.sourceSize === null ? null : Number(row.sourceSize) } : undefined;
}

/** The subject alone, for the page title; undefined when there is no such message. */
export async function findMessageSubject(db: Db, id: number): Promise<{ subject: string | null } | undefined> {
  const [row] = await db.select({ subject: messages.subject }).from(messages).where(eq(messages.id, id));
  return row;
}

/** The HTML body and the subject that titles its framed document. */
export async function findMessageHtml(
  db: Db,
  id: number,
): Promise<{ html: string | null; subject: string | null } | undefined> {
  const [row] = await db
    .select({ html: messages.html, subject: messages.subject })
    .from(messages)
    .where(eq(messages.id, id));
  return row;
}

export async function findMessageSource(db: Db, id: number): Promise<Buffer | undefined> {
  const [row] = await db
    .select({ source: messageSources.source })
    .from(messageSources)
    .where(eq(messageSources.messageId, id));
  return row?.source;
}

const { content: _content, ...attachmentInfoColumns } = getTableColumns(attachments);
export type AttachmentInfo = Omit<typeof attachments.$inferSelect, 'content'>;
export type StoredAttachment = typeof attachments.$inferSelect;

/** A message's attachments without their bytes, in the order they were stored. */
export async function listAttachments(db: Db, messageId: number): Promise<AttachmentInfo[]> {
  return db
    .select(attachmentInfoColumns)
    .from(attachments)
    .where(eq(attachments.messageId, messageId))
    .orderBy(asc(attachments.id));
}

/** Only when the attachment belongs to that message: ids in a URL are checked as a pair. */
export async function findAttachment(
  db: Db,
  messageId: number,
  attachmentId: number,
): Promise<StoredAttachment | undefined> {
  const [row] = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, attachmentId), eq(attachments.messageId, messageId)));
  return row;
}

export interface DailyCount {
  /** YYYY-MM-DD, a UTC day. */
  day: string;
  count: number;
}

/** Messages per UTC day of internal_date since `from`: a range on messages_account_newest, days without mail absent. */
export async function countMessagesPerDay(db: Db, accountId: string, from: Date): Promise<DailyCount[]> {
  const day = sql<string>`to_char(${messages.internalDate} at time zone 'UTC', 'YYYY-MM-DD')`;
  const rows = await db
    .select({ day, count: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), sql`${messages.internalDate} >= ${from.toISOString()}::timestamptz`))
    .groupBy(day)
    .orderBy(day);
  return rows.map((row) => ({ day: row.day, count: Number(row.count) }));
}
