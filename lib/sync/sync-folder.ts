import 'server-only';
import type { Db } from '@/lib/db/types';
import { hasEarlierGenerations, openFolderGeneration, unchangedWatermark } from '@/lib/db/queries/folder-state';
import {
  forgetOtherGenerations,
  forgetUnretrievable,
  recordUnretrievable,
  unretrievableUids,
} from '@/lib/db/queries/unretrievable';
import { openFolder, type ImapConnection } from '@/lib/mail/imap';
import type { FolderCounters } from '@/lib/mail/status-probe';
import { finishPendingDeletes } from '@/lib/sync/after-fetch';
import { fetchBatch, fetchMetadata, stillListed, type FetchedBatch } from '@/lib/sync/fetch-batch';
import { chunk, planBatches, type PlannedBatch } from '@/lib/sync/fetch-plan';
import { inLeasedTransaction, type LeaseKeeper } from '@/lib/sync/lease';
import { openFetchLanes } from '@/lib/sync/fetch-lanes';
import { ParallelFetcher } from '@/lib/sync/parallel-fetch';
import { storeBatch, type StoredBatch } from '@/lib/sync/store-batch';
import type { SyncAccount, SyncLimits } from '@/lib/sync/types';

export interface FolderJob {
  db: Db;
  client: ImapConnection;
  lease: LeaseKeeper;
  account: SyncAccount;
  folder: string;
  limits: SyncLimits;
  /** Wall-clock ms after which no new batch starts; null for no limit. */
  deadline: number | null;
  /** Aborted: no new batch starts either (the process is stopping). */
  signal?: AbortSignal;
  /**
   * True once the session's token is near expiry: no new batch starts on it, and the folder returns with
   * `renewSession` (after at least one batch of this call) to be synced on from the watermark.
   */
  sessionDue?: () => boolean;
  /**
   * The folder's counters from the idle check's STATUS, moments ago, when it found something new: used instead of
   * asking STATUS again on this session. Exchange does not offer CONDSTORE, so the probe does not ask for
   * HIGHESTMODSEQ (recorded as unknown then).
   */
  probed?: FolderCounters;
  /** Opens one more signed-in connection for fetching a first sync in parallel; absent: one connection only. */
  openConnection?: () => Promise<ImapConnection>;
  onBatchStored(batch: StoredBatch, pending: number): void;
}

export interface FolderResult {
  stored: number;
  bytes: number;
  /** False when the time budget stopped it; the next run resumes from the watermark. */
  complete: boolean;
  /** Stopped early because the session's token is near expiry: sign in again and sync the folder on. */
  renewSession?: boolean;
}

// Sizes and flags are asked for this many UIDs at a time: bounded memory for any mailbox size.
const METADATA_WINDOW = 2_000;
// Two batches write at once: Postgres turns a batch's bytes into TOAST rows in one backend, on one core.
const STORES_IN_FLIGHT = 2;
const RAMP_BYTES = 2 * 1024 * 1024;

/**
 * One folder: SELECT, new generation on a UIDVALIDITY change, then the UIDs above the watermark in batches. The
 * next batch downloads (and parses) while the previous two are written, so IMAP and Postgres work at once; at
 * most three batches are in memory, one when a message is bigger than a batch.
 */
export async function syncFolder(job: FolderJob): Promise<FolderResult> {
  const { db, client, account, folder, limits } = job;
  const result: FolderResult = { stored: 0, bytes: 0, complete: true };
  const openGeneration = (view: FolderView) =>
    inLeasedTransaction(db, job.lease, (tx) => openFolderGeneration(tx, { accountId: account.id, folder, ...view }));
  // Most runs find nothing new: STATUS tells that in one round trip, where SELECT costs three (imapflow LISTs
  // the folder first). Only the delete mode always selects, to finish deletes a crash left pending.
  const status =
    account.afterFetch === 'delete'
      ? undefined
      : job.probed
        ? probedView(job.probed)
        : await folderStatus(client, folder);
  // Nothing changed since the last run: one read, no write.
  const unchanged = status ? await unchangedWatermark(db, { accountId: account.id, folder, ...status }) : undefined;
  if (status && unchanged !== undefined && nothingNew(status, unchanged)) return result;
  let opened = status ? await openGeneration(status) : undefined;
  const retryable = (uidValidity: number) => unretrievableUids(db, { accountId: account.id, folder, uidValidity });
  if (status && opened && !opened.newGeneration && nothingNew(status, opened.lastUid)) {
    if ((await retryable(status.uidValidity)).length === 0) return result;
  }

  // Read-only unless the after-fetch mode must change flags; EXAMINE can never alter the mailbox by accident.
  const mailbox = await openFolder(client, folder, { readOnly: account.afterFetch === 'keep' });
  const selected: FolderView = {
    uidValidity: Number(mailbox.uidValidity),
    uidNext: mailbox.uidNext || null,
    messagesOnServer: mailbox.exists,
    highestModseq: mailbox.highestModseq?.toString() ?? null,
  };
  // The generation opened on STATUS stands unless UIDVALIDITY changed in between.
  if (!opened || status?.uidValidity !== selected.uidValidity) opened = await openGeneration(selected);
  const { lastUid, newGeneration } = opened;
  const { uidValidity } = selected;
  const key = { accountId: account.id, folder, uidValidity };
  if (account.afterFetch === 'delete' && !newGeneration) await finishPendingDeletes(db, client, key, lastUid);
  if (newGeneration) await forgetOtherGenerations(db, key);
  // Messages Exchange listed but did not serve on an earlier run are tried again on every run.
  const retry = await retryable(uidValidity);
  if (nothingNew(selected, lastUid) && retry.length === 0) return result;

  const retrying = new Set(retry);
  // A recorded UID above the watermark (the folder's last messages were not served) is listed again: tried once.
  const uids = (await newUids(client, selected, lastUid)).filter((uid) => !retrying.has(uid));
  if (uids.length === 0 && retry.length === 0) return result;
  const linkEarlierCopies = newGeneration || (await hasEarlierGenerations(db, account.id, folder, uidValidity));
  const target = { db, client, lease: job.lease, account, folder, uidValidity, linkEarlierCopies, retrying };

  // Batches being written, oldest first, each on its own connection; each commits after the one before it.
  const storing: Promise<void>[] = [];
  const settle = async (keep: number) => {
    while (storing.length > keep) await storing.shift();
  };
  let batchesStarted = 0;
  // UIDs that may still be stored: those the metadata FETCH leaves out are not.
  let pending = uids.length;
  const store = async (batch: PlannedBatch, fetched: FetchedBatch) => {
    await settle(STORES_IN_FLIGHT - 1);
    job.lease.assertHeld();
    const next = storeBatch(target, batch, fetched, storing.at(-1)).then((stored) => {
      result.stored += stored.stored;
      result.bytes += stored.bytes;
      job.onBatchStored(stored, pending);
    });
    next.catch(() => {}); // observed when settled above or below
    storing.push(next);
  };
  // Why no new batch may start, if one may not: the time budget or shutdown, or the session's token.
  const stopReason = (): 'stop' | 'renew' | undefined => {
    if ((job.deadline !== null && Date.now() >= job.deadline) || job.signal?.aborted) return 'stop';
    if (batchesStarted > 0 && job.sessionDue?.()) return 'renew';
    return undefined;
  };
  const stopEarly = async (reason: 'stop' | 'renew') => {
    Object.assign(result, reason === 'renew' ? { complete: false, renewSession: true } : { complete: false });
    await settle(0);
    return result;
  };
  // A first sync (nothing stored yet) fetches over several connections once its plan has more than one batch;
  // later runs over one. With several batches downloading at once each is smaller, so about as much mail is held.
  const parallel = lastUid === 0 && job.openConnection !== undefined && limits.connectionsPerMailbox > 1;
  const batchBytes = parallel
    ? Math.max(RAMP_BYTES, Math.floor((3 * limits.batchBytes) / (limits.connectionsPerMailbox + STORES_IN_FLIGHT)))
    : limits.batchBytes;
  let fetcher: ParallelFetcher | undefined;
  let lanesTried = false;
  try {
    const windows = [...chunk(retry, METADATA_WINDOW), ...chunk(uids, METADATA_WINDOW)];
    for (const window of windows) {
      const metas = await fetchMetadata(client, window);
      // Left out of the metadata FETCH: expunged, or listed yet not served (recorded before any batch passes it).
      const served = new Set(metas.map((meta) => meta.uid));
      pending -= window.filter((uid) => !served.has(uid) && !retrying.has(uid)).length;
      const { listed, expunged } = await stillListed(
        client,
        window.filter((uid) => !served.has(uid)),
      );
      if (listed.length > 0 || expunged.some((uid) => retrying.has(uid)))
        await inLeasedTransaction(db, job.lease, async (tx) => {
          await recordUnretrievable(
            tx,
            key,
            listed.map((uid) => ({ uid, reason: 'no_data' as const })),
          );
          await forgetUnretrievable(
            tx,
            key,
            expunged.filter((uid) => retrying.has(uid)),
          );
        });
      const batches = planBatches(metas, { ...limits, batchBytes, rampBytes: RAMP_BYTES });
      if (parallel && job.openConnection && !lanesTried && batches.length > 1) {
        lanesTried = true;
        const lanes = await openFetchLanes(client, job.openConnection, {
          folder,
          uidValidity,
          extra: limits.connectionsPerMailbox - 1,
        });
        if (lanes.length > 1) fetcher = new ParallelFetcher(lanes);
      }
      if (fetcher) {
        const done = await fetcher.run({
          batches,
          maxMessageBytes: limits.maxMessageBytes,
          batchBytes,
          store,
          shouldStop: () => {
            const stop = stopReason() !== undefined;
            if (!stop) batchesStarted += 1;
            return stop;
          },
        });
        if (!done) return await stopEarly(stopReason() ?? 'stop');
        continue;
      }
      // One FETCH per batch. Several batches in one FETCH saved the round trip between them on a link with delay,
      // but a BYE arriving behind a long FETCH was lost (imapflow closed on the socket's end before parsing it), so
      // Exchange's "AccessTokenExpired" ended the run as a network failure instead of signing in again.
      for (const batch of batches) {
        const reason = stopReason();
        if (reason) return await stopEarly(reason);
        batchesStarted += 1;
        job.lease.assertHeld();
        // A message bigger than a whole batch is not downloaded while other batches are still held for storing.
        if (batch.bytes > batchBytes) await settle(0);
        await store(batch, await fetchBatch(client, batch, limits.maxMessageBytes));
      }
    }
    await settle(0);
  } catch (error) {
    // Let inserts in flight finish (they may commit) before the caller reports and releases the lease.
    await Promise.allSettled(storing);
    throw error;
  } finally {
    await fetcher?.close();
  }
  return result;
}

interface FolderView {
  uidValidity: number;
  uidNext: number | null;
  messagesOnServer: number;
  highestModseq: string | null;
}

/**
 * The UIDs above the watermark to ask the metadata FETCH about, ascending. When UIDNEXT bounds them to one metadata
 * window, every UID from the watermark + 1 to UIDNEXT - 1 is a candidate and no UID SEARCH is sent (a round trip
 * before the first byte on a link with delay). That is exact because the FETCH's gaps are still asked about:
 * `stillListed` sends UID SEARCH for just the candidates the FETCH left out, and each is either listed (recorded
 * as not retrievable before any batch passes it, as when SEARCH listed it up front) or not (expunged or never
 * assigned; UIDs are never reused within a UIDVALIDITY, RFC 3501 2.3.1.1, so it cannot appear later). A UID at or
 * above UIDNEXT came after SELECT: no batch passes it (the FETCH drops UIDs not asked for) and the next run fetches
 * it. Beyond one window (a first sync of a big folder, sparse UIDs) UID SEARCH lists them, so memory stays bounded.
 */
async function newUids(client: ImapConnection, selected: FolderView, lastUid: number): Promise<number[]> {
  if (nothingNew(selected, lastUid)) return [];
  const { uidNext } = selected;
  if (uidNext !== null && uidNext > lastUid + 1 && uidNext - 1 - lastUid <= METADATA_WINDOW)
    return Array.from({ length: uidNext - 1 - lastUid }, (_, i) => lastUid + 1 + i);
  // `n:*` always includes the highest UID even when it is below n, hence the filter.
  const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
  return (Array.isArray(found) ? found : []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
}

function nothingNew(view: FolderView, lastUid: number): boolean {
  return view.messagesOnServer === 0 || (view.uidNext !== null && view.uidNext > 0 && view.uidNext <= lastUid + 1);
}

/** The folder's counters without selecting it; undefined when the server answers without them (then SELECT). */
/** The idle check's STATUS counters as the view this session's STATUS would give (it asks no HIGHESTMODSEQ). */
function probedView(counters: FolderCounters): FolderView {
  return {
    uidValidity: counters.uidValidity,
    uidNext: counters.uidNext || null,
    messagesOnServer: counters.messages,
    highestModseq: null,
  };
}

async function folderStatus(client: ImapConnection, folder: string): Promise<FolderView | undefined> {
  const status = await client.status(folder, { messages: true, uidNext: true, uidValidity: true, highestModseq: true });
  if (!status || status.uidValidity === undefined || status.uidNext === undefined || status.messages === undefined)
    return undefined;
  return {
    uidValidity: Number(status.uidValidity),
    uidNext: status.uidNext || null,
    messagesOnServer: status.messages,
    highestModseq: status.highestModseq?.toString() ?? null,
  };
}
