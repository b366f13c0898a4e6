import type { Metadata } from 'next';
import { FormMessage } from '@/app/_components/form-message';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { listMessageAccounts, listMessagePage } from '@/lib/db/queries/messages';
import { parseMessageListQuery, type RawSearchParams } from '@/lib/messages/list-params';
import { MessageFilters } from './message-filters';
import { MessageListEmpty } from './message-list-empty';
import { MessagePager } from './message-pager';
import { MessageTable } from './message-table';

export const metadata: Metadata = { title: 'Messages' };
const PAGE_SIZE = 50;

export default async function MessagesPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  await requireAdmin();
  const query = parseMessageListQuery(await searchParams);
  const db = await getDb();
  const [accounts, page] = await Promise.all([
    listMessageAccounts(db),
    listMessagePage(db, query.filters, { cursor: query.cursor, direction: query.direction, limit: PAGE_SIZE }),
  ]);
  return (
    <>
      <PageHeader title="Messages" description="Every message synced from connected mailboxes, newest first." />
      <div className="space-y-4">
        <MessageFilters accounts={accounts} filters={query.filters} />
        {query.ignored.length > 0 ? (
          <FormMessage tone="info">Ignored an unusable value for: {query.ignored.join(', ')}.</FormMessage>
        ) : null}
        {page.rows.length === 0 ? (
          <MessageListEmpty
            filters={query.filters}
            paged={query.cursor !== undefined}
            direction={query.direction}
            hasAccounts={accounts.length > 0}
          />
        ) : (
          <MessageTable rows={page.rows} accounts={accounts} />
        )}
        <MessagePager filters={query.filters} page={page} paged={query.cursor !== undefined} />
      </div>
    </>
  );
}
