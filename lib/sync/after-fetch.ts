import 'server-only';
import type { Db } from '@/lib/db/types';
import { storedUids } from '@/lib/db/queries/message-batches';
import type { ImapConnection } from '@/lib/mail/imap';
import { chunk } from '@/lib/sync/fetch-plan';
import { boundedUidSets } from '@/lib/sync/uid-sets';
import type { SyncAccount } from '@/lib/sync/types';

/** Marks or deletes messages on the server; callers pass only UIDs whose rows are committed. */
export async function applyAfterFetch(
  client: ImapConnection,
  mode: SyncAccount['afterFetch'],
  uids: number[],
): Promise<void> {
  if (mode === 'keep' || uids.length === 0) return;
  // Scattered UIDs (some kept back as headers-only, some deleted by people meanwhile) make long sets: each command
  // carries a bounded one.
  for (const range of boundedUidSets(uids)) {
    if (mode === 'mark_seen') {
      await client.messageFlagsAdd(range, ['\\Seen'], { uid: true, silent: true });
      continue;
    }
    // Without UIDPLUS, EXPUNGE would also remove messages someone else flagged \Deleted: only flag them then.
    if (client.capabilities.has('UIDPLUS')) await client.messageDelete(range, { uid: true });
    else await client.messageFlagsAdd(range, ['\\Deleted'], { uid: true, silent: true });
  }
}

/**
 * Delete mode: messages at or below the watermark that are still on the server were committed but their delete
 * never ran (the connection dropped right after the commit). Deletes those whose rows hold the mail; headers-only
 * rows (over the size limit) stay on the server.
 */
export async function finishPendingDeletes(
  db: Db,
  client: ImapConnection,
  key: { accountId: string; folder: string; uidValidity: number },
  lastUid: number,
): Promise<void> {
  if (lastUid === 0) return;
  const found = await client.search({ uid: `1:${lastUid}` }, { uid: true });
  const onServer = (Array.isArray(found) ? found : []).filter((uid) => uid <= lastUid).sort((a, b) => a - b);
  for (const uids of chunk(onServer, 5_000)) {
    await applyAfterFetch(client, 'delete', await storedUids(db, key, uids));
  }
}
