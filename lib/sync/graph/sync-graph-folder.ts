import 'server-only';
import type { Db } from '@/lib/db/types';
import { openGraphFolder, saveDeltaLink } from '@/lib/db/queries/folder-state';
import type { GraphClient } from '@/lib/microsoft/graph/client';
import { readFolderDelta } from '@/lib/microsoft/graph/folder-delta';
import { applyGraphAfterFetch, finishPendingGraphDeletes } from '@/lib/sync/graph/after-fetch';
import { storeDeltaPage, type StoredPage } from '@/lib/sync/graph/store-page';
import { inLeasedTransaction, type LeaseKeeper } from '@/lib/sync/lease';
import type { SyncAccount, SyncLimits } from '@/lib/sync/types';

export interface GraphFolderJob {
  db: Db;
  client: GraphClient;
  mailbox: string;
  lease: LeaseKeeper;
  account: SyncAccount;
  folder: string;
  graphFolderId: string;
  limits: SyncLimits;
  /** Wall-clock ms after which no new page is read; null for no limit. */
  deadline: number | null;
  signal?: AbortSignal;
  onPageStored(page: StoredPage, storedInFolder: number): void;
}

export interface GraphFolderResult {
  stored: number;
  bytes: number;
  /** False when the time budget or shutdown cut the round: the stored nextLink resumes it. */
  complete: boolean;
}

// A page is one transaction, as an IMAP batch; every message of it is downloaded ($value) before it is stored.
const MAX_PAGE = 50;

/** Stops the round between pages; the page before it is stored with the nextLink that resumes after it. */
class RoundCut extends Error {}

/**
 * One folder through a delta round, from the stored link (a deltaLink, or the nextLink of a cut round) or from
 * the start. Each page is stored with the link after it, and only then does the after-fetch mode touch the
 * mailbox. When Graph no longer knows the link (410), the link is dropped and a fresh round lists the folder
 * again; what is stored already is matched and not stored twice.
 */
export async function syncGraphFolder(job: GraphFolderJob): Promise<GraphFolderResult> {
  const { db, account, folder } = job;
  const result: GraphFolderResult = { stored: 0, bytes: 0, complete: true };
  const key = { accountId: account.id, folder };
  const opened = await inLeasedTransaction(db, job.lease, (tx) =>
    openGraphFolder(tx, { ...key, graphFolderId: job.graphFolderId }),
  );
  let link = opened.deltaLink ?? undefined;
  if (account.afterFetch === 'delete' && link)
    await finishPendingGraphDeletes(db, job.client, {
      accountId: account.id,
      mailbox: job.mailbox,
      graphFolderId: job.graphFolderId,
    });
  const target = { db, lease: job.lease, account, folder, maxMessageBytes: job.limits.maxMessageBytes };
  const cut = () => (job.deadline !== null && Date.now() >= job.deadline) || job.signal?.aborted === true;
  // Two rounds at most: a restart that itself is told to restart is Graph's trouble, reported as a failure.
  for (let round = 0; round < 2; round += 1) {
    try {
      const outcome = await readFolderDelta(
        job.client,
        {
          mailbox: job.mailbox,
          folder: job.graphFolderId,
          link,
          pageSize: Math.min(job.limits.batchMessages, MAX_PAGE),
        },
        async (page) => {
          const stored = await storeDeltaPage(target, page, page.nextLink ?? page.deltaLink ?? null);
          result.stored += stored.stored;
          result.bytes += stored.bytes;
          // Counted once committed, whatever the after-fetch mode meets next.
          job.onPageStored(stored, result.stored);
          await applyGraphAfterFetch(job.client, job.mailbox, account.afterFetch, stored.held);
          if (page.nextLink && cut()) throw new RoundCut();
        },
      );
      if (outcome.outcome === 'complete') return result;
    } catch (error) {
      if (!(error instanceof RoundCut)) throw error;
      result.complete = false;
      return result;
    }
    await inLeasedTransaction(db, job.lease, (tx) => saveDeltaLink(tx, key, null));
    link = undefined;
  }
  throw new Error(`Graph asked twice in a row to restart the sync of ${folder}`);
}
