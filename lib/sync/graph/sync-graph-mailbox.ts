import 'server-only';
import type { Db } from '@/lib/db/types';
import { createGraphClient } from '@/lib/microsoft/graph/client';
import { graphFolderIds } from '@/lib/sync/graph/folders';
import { syncGraphFolder } from '@/lib/sync/graph/sync-graph-folder';
import type { StoredPage } from '@/lib/sync/graph/store-page';
import type { LeaseKeeper } from '@/lib/sync/lease';
import type { GraphMailbox, SyncAccount, SyncLimits } from '@/lib/sync/types';

export interface GraphMailboxJob {
  db: Db;
  graph: GraphMailbox;
  lease: LeaseKeeper;
  account: SyncAccount;
  limits: SyncLimits;
  deadline: number | null;
  signal?: AbortSignal;
  onPageStored(folder: string, page: StoredPage, storedInFolder: number): void;
}

export interface GraphMailboxResult {
  complete: boolean;
  /** The account's folders Graph does not list (deleted or renamed): the others are synced. */
  missingFolders: string[];
}

/** Each of the account's folders (nested ones included) in turn through Graph; stops at the first folder the time budget cut short. */
export async function syncGraphMailbox(job: GraphMailboxJob): Promise<GraphMailboxResult> {
  const { graph } = job;
  const client = createGraphClient({ baseUrl: graph.baseUrl, token: graph.token });
  const missingFolders: string[] = [];
  const ids = await graphFolderIds(client, graph.mailbox, job.account.folders);
  for (const folder of job.account.folders) {
    job.lease.assertHeld();
    const id = ids.get(folder);
    if (!id) {
      missingFolders.push(folder);
      continue;
    }
    const result = await syncGraphFolder({
      db: job.db,
      client,
      mailbox: graph.mailbox,
      lease: job.lease,
      account: job.account,
      folder,
      graphFolderId: id,
      limits: job.limits,
      deadline: job.deadline,
      signal: job.signal,
      onPageStored: (page, stored) => job.onPageStored(folder, page, stored),
    });
    if (!result.complete) return { complete: false, missingFolders };
  }
  return { complete: true, missingFolders };
}
