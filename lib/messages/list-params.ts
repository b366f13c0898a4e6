import { z } from 'zod';
import type { MessageCursor, MessageFilters } from '@/lib/db/queries/messages';
import { decodeCursor, encodeCursor } from '@/lib/messages/cursor';

export type RawSearchParams = Record<string, string | string[] | undefined>;

export interface MessageListQuery {
  filters: MessageFilters;
  cursor?: MessageCursor;
  direction: 'older' | 'newer';
  /** Labels of parameters that were present but unusable; the page says they were ignored. */
  ignored: string[];
}

const flag = z.enum(['1', 'on', 'true']).transform(() => true);
// NUL is refused by Postgres text parameters; the cap keeps a pasted novel from becoming a query plan.
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((value) => !value.includes('\u0000'));
const cursor = z.string().transform((value, ctx) => {
  const decoded = decodeCursor(value);
  if (!decoded) ctx.addIssue({ code: 'custom', message: 'Not a list position.' });
  return decoded ?? z.NEVER;
});

const FIELDS = {
  q: { label: 'Search', schema: text(200) },
  account: { label: 'Account', schema: z.uuid() },
  folder: { label: 'Folder', schema: text(1000) },
  attachments: { label: 'Has attachments', schema: flag },
  errors: { label: 'Parse error', schema: flag },
  skipped: { label: 'Skipped', schema: flag },
  before: { label: 'Page position', schema: cursor },
  after: { label: 'Page position', schema: cursor },
} as const;

type Field = keyof typeof FIELDS;
type Parsed = { [K in Field]?: z.output<(typeof FIELDS)[K]['schema']> };

/** Every parameter is checked on its own: a bad one is dropped and named, the rest still apply. */
export function parseMessageListQuery(raw: RawSearchParams): MessageListQuery {
  const parsed: Parsed = {};
  const ignored = new Set<string>();
  for (const [name, field] of Object.entries(FIELDS) as [Field, (typeof FIELDS)[Field]][]) {
    const value = Array.isArray(raw[name]) ? raw[name][0] : raw[name];
    if (value === undefined || value === '') continue;
    const result = field.schema.safeParse(value);
    if (result.success) Object.assign(parsed, { [name]: result.data });
    else ignored.add(field.label);
  }
  const filters: MessageFilters = {
    accountId: parsed.account,
    folder: parsed.folder || undefined,
    search: parsed.q || undefined,
    hasAttachments: parsed.attachments,
    parseError: parsed.errors,
    skipped: parsed.skipped,
  };
  if (parsed.after) return { filters, cursor: parsed.after, direction: 'newer', ignored: [...ignored] };
  return { filters, cursor: parsed.before, direction: 'older', ignored: [...ignored] };
}

/** The list URL for these filters at a position; filters are kept so "Older"/"Newer" stay within a search. */
export function messageListHref(
  filters: MessageFilters,
  position?: { before: MessageCursor } | { after: MessageCursor },
): string {
  const params = new URLSearchParams();
  if (filters.search) params.set('q', filters.search);
  if (filters.accountId) params.set('account', filters.accountId);
  if (filters.folder) params.set('folder', filters.folder);
  if (filters.hasAttachments) params.set('attachments', '1');
  if (filters.parseError) params.set('errors', '1');
  if (filters.skipped) params.set('skipped', '1');
  if (position && 'before' in position) params.set('before', encodeCursor(position.before));
  if (position && 'after' in position) params.set('after', encodeCursor(position.after));
  const query = params.toString();
  return query ? `/messages?${query}` : '/messages';
}

export function hasActiveFilters(filters: MessageFilters): boolean {
  return Boolean(
    filters.search ||
    filters.accountId ||
    filters.folder ||
    filters.hasAttachments ||
    filters.parseError ||
    filters.skipped,
  );
}
