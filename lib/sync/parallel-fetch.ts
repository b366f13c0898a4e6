import 'server-only';
import { closeImapConnection, imapFailure, type ImapConnection } from '@/lib/mail/imap';
import { logger } from '@/lib/logger';
import { fetchBatch, type FetchedBatch } from '@/lib/sync/fetch-batch';
import type { PlannedBatch } from '@/lib/sync/fetch-plan';

/** One IMAP connection fetching batches; the session's own is `main`, the others were opened for this folder. */
export interface FetchLane {
  client: ImapConnection;
  main: boolean;
  /** No new batch starts on it: it failed, or the count was halved. */
  retired?: boolean;
}

export interface ParallelFetchJob {
  batches: PlannedBatch[];
  maxMessageBytes: number;
  /** A batch over this is one big message: fetched only when it is the next to store. */
  batchBytes: number;
  /**
   * Hands a fetched batch on to be stored, in UID order (the batches' order); resolves once the store has started
   * (after waiting for room), rejects when an earlier store failed.
   */
  store(batch: PlannedBatch, fetched: FetchedBatch): Promise<void>;
  /** True once no new batch should start (time budget, shutdown, token near expiry). */
  shouldStop(): boolean;
}

/**
 * Fetches a folder's batches over several connections at once and hands them on in UID order. A link with delay
 * and a bandwidth cap per connection (Exchange Online serves each connection at a few MB/s) keeps one connection
 * far below what the mailbox could give; several fetch disjoint batches side by side.
 *
 * Exactly once: batches are stored strictly in UID order whichever connection fetched them, so the watermark
 * (moved in each batch's transaction) never passes a batch that was not stored. A connection that is throttled or
 * cut gives its batch back to the queue and the number of connections halves; when the session's own connection
 * fails, the run fails as a single-connection run would, and batches fetched after the last stored one are
 * dropped (the next run fetches them again from the watermark).
 *
 * Memory: a connection fetches batch i only while i is fewer than `lanes` batches ahead of the next one to store.
 * imapflow keeps one command in flight per connection, so FETCHes are not pipelined on a connection: each pays
 * one round trip between batches, which the other connections' transfers cover.
 */
export class ParallelFetcher {
  constructor(private readonly lanes: FetchLane[]) {}

  /** Connections still fetching. */
  get connections(): number {
    return this.lanes.filter((lane) => !lane.retired).length;
  }

  /** Fetches and stores `job.batches`; returns false when it stopped early (`shouldStop`). */
  async run(job: ParallelFetchJob): Promise<boolean> {
    const { batches } = job;
    const pending = batches.map((_, i) => i);
    const ready = new Map<number, FetchedBatch>();
    let nextToStore = 0;
    let inFlight = 0;
    let failure: { error: unknown } | undefined;
    let stopped = false;
    const wake = new Wake();
    const window = () => this.lanes.length;

    const take = (): number | undefined => {
      const i = pending[0];
      if (i === undefined || i >= nextToStore + window()) return undefined;
      // A batch bigger than a whole batch (one big message) is fetched only when it is next to be stored.
      if (i !== nextToStore && (batches[i] as PlannedBatch).bytes > job.batchBytes) return undefined;
      pending.shift();
      return i;
    };

    const fetchOn = async (lane: FetchLane) => {
      while (!failure && !stopped && !lane.retired) {
        if (job.shouldStop()) {
          stopped = true;
          wake.notify();
          return;
        }
        const i = take();
        if (i === undefined) {
          if (pending.length === 0 && inFlight === 0) return;
          await wake.wait();
          continue;
        }
        inFlight += 1;
        try {
          ready.set(i, await fetchBatch(lane.client, batches[i] as PlannedBatch, job.maxMessageBytes));
        } catch (error) {
          if (lane.main || failure) {
            failure ??= { error };
          } else {
            // Throttled or cut: the batch goes back (before later ones), the connection count halves.
            insertSorted(pending, i);
            this.halve(lane, error);
            return;
          }
        } finally {
          inFlight -= 1;
          wake.notify();
        }
      }
    };

    const storeInOrder = async () => {
      while (nextToStore < batches.length && !failure) {
        const fetched = ready.get(nextToStore);
        if (!fetched) {
          if (stopped && inFlight === 0) return;
          await wake.wait();
          continue;
        }
        ready.delete(nextToStore);
        try {
          await job.store(batches[nextToStore] as PlannedBatch, fetched);
        } catch (error) {
          failure ??= { error };
        }
        nextToStore += 1;
        wake.notify();
      }
    };

    await Promise.all([storeInOrder(), ...this.lanes.map(fetchOn)]);
    wake.notify();
    if (failure) throw failure.error;
    return nextToStore === batches.length;
  }

  /** Retires the failed connection and then others (the newest first) until half of them are left, at least one. */
  private halve(failed: FetchLane, error: unknown): void {
    const before = this.connections;
    const target = Math.max(1, Math.floor(before / 2));
    failed.retired = true;
    void closeImapConnection(failed.client);
    for (const lane of [...this.lanes].reverse())
      if (this.connections > target && !lane.main && !lane.retired) lane.retired = true;
    logger('sync').info(
      { connections: this.connections, was: before, reason: describe(imapFailure(failed.client, error)) },
      'a fetch connection was throttled or cut; fetching over fewer connections',
    );
  }

  /** Closes the connections opened for this folder (the session's own stays open). */
  async close(): Promise<void> {
    await Promise.all(this.lanes.filter((lane) => !lane.main).map((lane) => closeImapConnection(lane.client)));
  }
}

function insertSorted(list: number[], value: number): void {
  const at = list.findIndex((item) => item > value);
  if (at === -1) list.push(value);
  else list.splice(at, 0, value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lets waiting loops sleep until something changed. */
class Wake {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
