import Link from 'next/link';
import type { MessageFilters, MessagePage } from '@/lib/db/queries/messages';
import { messageListHref } from '@/lib/messages/list-params';

const LINK = 'font-medium text-brand-700 hover:underline';

/** Keyset paging: links to the rows just newer or older than this page, never page numbers or totals. */
export function MessagePager({ filters, page, paged }: { filters: MessageFilters; page: MessagePage; paged: boolean }) {
  const first = page.rows.at(0);
  const last = page.rows.at(-1);
  const newer = page.hasNewer && first ? messageListHref(filters, { after: first.position }) : null;
  const older = page.hasOlder && last ? messageListHref(filters, { before: last.position }) : null;
  if (!newer && !older && !paged) return null;
  return (
    <nav aria-label="Pages" className="flex items-center justify-between text-sm">
      <span className="flex gap-4">
        {paged ? (
          <Link className={LINK} href={messageListHref(filters)}>
            Newest
          </Link>
        ) : null}
        {newer ? (
          <Link className={LINK} href={newer} rel="prev">
            ← Newer
          </Link>
        ) : null}
      </span>
      {older ? (
        <Link className={LINK} href={older} rel="next">
          Older →
        </Link>
      ) : null}
    </nav>
  );
}
