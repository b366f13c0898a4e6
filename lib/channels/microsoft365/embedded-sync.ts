import 'server-only';
import { scheduledSyncPass, startSyncSchedule } from '@/lib/channels/microsoft365/sync-schedule';
import { watchMailboxes } from '@/lib/channels/microsoft365/watch-mailboxes';
import type { Db } from '@/lib/db/types';
import { logger } from '@/lib/logger';
import { defaultLeaseOwner } from '@/lib/sync/lease';

export interface EmbeddedSyncOptions {
  /** Between the end of one polled pass and the start of the next (SYNC_INTERVAL_MINUTES). */
  intervalMs: number;
  /** Before the first pass; a few seconds by default, so a starting console serves its first pages first. */
  firstDelayMs?: number;
}

export interface EmbeddedSync {
  /**
   * Ends the schedule and the watches: the pass in progress stops leasing and finishes the batches in flight,
   * the watches' claims are freed, their IDLE connections closed, and the syncs they started awaited.
   */
  stop(): Promise<void>;
}

/**
 * The embedded console's own syncing (nothing else may open its database): a polled pass every `intervalMs`,
 * and an IMAP IDLE watch on each INBOX (up to SYNC_WATCH_MAX) so new mail lands within seconds, not at the next
 * pass. Both run under one lease owner, so what this process holds can be freed in one go when it stops.
 */
export function startEmbeddedSync(db: Db, options: EmbeddedSyncOptions): EmbeddedSync {
  const owner = defaultLeaseOwner();
  const stopping = new AbortController();
  let pass: Promise<unknown> = Promise.resolve();
  const schedule = startSyncSchedule(
    options.intervalMs,
    () => (pass = scheduledSyncPass(db, { owner, signal: stopping.signal })),
    options.firstDelayMs,
  );
  const watch = watchMailboxes(db, { owner, signal: stopping.signal });
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    schedule.stop();
    stopping.abort();
    // The watch pool frees its claims before it closes connections, so they are the first thing to go.
    const ends = await Promise.allSettled([watch?.stop(), pass]);
    for (const end of ends)
      if (end.status === 'rejected') logger('schedule').warn({ err: end.reason }, 'stopping the embedded sync failed');
  };
  return { stop: () => (stopped ??= stop()) };
}
