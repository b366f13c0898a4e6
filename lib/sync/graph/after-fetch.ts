import 'server-only';
import { z } from 'zod';
import type { Db } from '@/lib/db/types';
import { storedGraphIds } from '@/lib/db/queries/message-batches';
import type { GraphClient } from '@/lib/microsoft/graph/client';
import { chunk } from '@/lib/sync/fetch-plan';
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

const messagePage = z.object({
  value: z.array(z.object({ id: z.string().min(1) })),
  '@odata.nextLink': z.string().optional(),
});

/**
 * Delete mode: messages committed whose DELETE never ran (the run stopped right after the commit) are not listed
 * by the next delta round, which starts past them. The folder is listed instead
 * (https://learn.microsoft.com/en-us/graph/api/mailfolder-list-messages, paged with `@odata.nextLink`) and the
 * messages stored with their full source are deleted. In delete mode the folder holds only mail not synced yet,
 * so the listing stays short.
 */
export async function finishPendingGraphDeletes(
  db: Db,
  client: GraphClient,
  target: { accountId: string; mailbox: string; graphFolderId: string },
): Promise<void> {
  const { mailbox } = target;
  // Listed in full before any delete: a delete shifts the pages still to come.
  const listed: string[] = [];
  let link: string | undefined =
    `/users/${encodeURIComponent(mailbox)}/mailFolders/${encodeURIComponent(target.graphFolderId)}/messages?$select=id&$top=100`;
  while (link) {
    const page: z.infer<typeof messagePage> = await client.json(link, messagePage, {
      mailbox,
      headers: { prefer: 'IdType="ImmutableId"' },
    });
    listed.push(...page.value.map((message) => message.id));
    link = page['@odata.nextLink'];
  }
  for (const ids of chunk(listed, 1_000))
    await applyGraphAfterFetch(client, mailbox, 'delete', [...(await storedGraphIds(db, target.accountId, ids))]);
}
