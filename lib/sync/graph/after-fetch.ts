import 'server-only';
import type { GraphClient } from '@/lib/microsoft/graph/client';
import { GraphFailure } from '@/lib/microsoft/graph/failure';
import type { SyncAccount } from '@/lib/sync/types';

/**
 * The after-fetch mode through Graph, for messages whose rows are committed: mark_seen sets `isRead`
 * (https://learn.microsoft.com/en-us/graph/api/message-update), delete deletes the message
 * (https://learn.microsoft.com/en-us/graph/api/message-delete, 204 No Content). One already gone (404) is done.
 * The client keeps at most four requests per mailbox in flight, so these queue there.
 */
export async function applyGraphAfterFetch(
  client: GraphClient,
  mailbox: string,
  mode: SyncAccount['afterFetch'],
  graphIds: string[],
): Promise<void> {
  if (mode === 'keep' || graphIds.length === 0) return;
  const user = encodeURIComponent(mailbox);
  await Promise.all(
    graphIds.map(async (id) => {
      const path = `/users/${user}/messages/${encodeURIComponent(id)}`;
      try {
        if (mode === 'mark_seen') await client.patch(path, { isRead: true }, { mailbox });
        else await client.delete(path, { mailbox });
      } catch (error) {
        if (!(error instanceof GraphFailure && error.kind === 'not_found')) throw error;
      }
    }),
  );
}
