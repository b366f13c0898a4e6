import Link from 'next/link';
import { EmptyState } from '@/app/_components/empty-state';
import type { MessageFilters } from '@/lib/db/queries/messages';
import { hasActiveFilters } from '@/lib/messages/list-params';

/** Says why the list is empty: past the end of the pages, nothing matching, or nothing synced yet. */
export function MessageListEmpty({
  filters,
  paged,
  direction,
  hasAccounts,
}: {
  filters: MessageFilters;
  paged: boolean;
  direction: 'older' | 'newer';
  hasAccounts: boolean;
}) {
  if (paged) {
    return (
      <EmptyState title={direction === 'older' ? 'No older messages' : 'No newer messages'}>
        This is the end of the list in that direction.
      </EmptyState>
    );
  }
  if (hasActiveFilters(filters)) {
    return (
      <EmptyState title="No messages match">
        Try other words or fewer filters, or{' '}
        <Link href="/messages" className="font-medium text-brand-700 hover:underline">
          show every message
        </Link>
        .
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No messages yet">
      {hasAccounts ? (
        'Messages appear here after the first sync of a connected mailbox.'
      ) : (
        <>
          Connect a mailbox under{' '}
          <Link href="/channels/microsoft365" className="font-medium text-brand-700 hover:underline">
            Microsoft 365
          </Link>
          ; its mail appears here after the first sync.
        </>
      )}
    </EmptyState>
  );
}
