import 'server-only';
import type { Db } from '@/lib/db/types';
import { claimWatches, releaseWatch, releaseWatchesOf, renewWatches } from '@/lib/db/queries/mailbox-watches';
import { logger } from '@/lib/logger';
import { watchInbox, type ReconnectBackoff, type WatchEnd } from '@/lib/sync/watch/inbox-watcher';
import { NewMailSyncs } from '@/lib/sync/watch/new-mail-syncs';
import { Slots } from '@/lib/slots';
import type { AccountSyncReport, SyncAccount, SyncDeps } from '@/lib/sync/types';

const LOGINS_AT_ONCE = 16;

export const WATCH_DEFAULTS = {
  max: 1000,
  // With a claim round every third of it, a dead worker's mailboxes are watched again within a minute.
  leaseMs: 45_000,
} as const;

export interface WatchPoolOptions {
  db: Db;
  /** This process's lease owner id (the sync lease's too). */
  owner: string;
  /** Fresh per connection and per sync: the product's wiring (tokens, endpoints, progress). */
  deps(): SyncDeps;
  /** IDLE connections this process holds at most (SYNC_WATCH_MAX); the rest are polled. */
  max?: number;
  /** How long a claim outlives its last heartbeat (SYNC_WATCH_LEASE_SECONDS). */
  leaseMs?: number;
  idleRestartMs?: number;
  backoff?: ReconnectBackoff;
  onSynced?(report: AccountSyncReport): void;
}

export interface WatchPool {
  /** Mailboxes this process watches now. */
  watching(): string[];
  /** Closes every watch, waits for the syncs it started, and frees its claims for other workers at once. */
  stop(): Promise<void>;
}

/**
 * The IDLE side of a worker: claims up to `max` watchable mailboxes no live worker watches, holds an IDLE on
 * each INBOX and syncs a mailbox at once when new mail arrives. Every third of the lease it renews its claims in
 * one statement (the heartbeat) and claims more: a mailbox disabled meanwhile, or taken over after this process
 * stalled, loses its watcher; one whose worker died is picked up. Mailboxes whose server offers no IDLE are left
 * to polling.
 */
export function startWatchPool(options: WatchPoolOptions): WatchPool {
  const { db, owner } = options;
  const max = options.max ?? WATCH_DEFAULTS.max;
  const leaseMs = options.leaseMs ?? WATCH_DEFAULTS.leaseMs;
  const log = logger('watch');
  const stopping = new AbortController();
  const watchers = new Map<string, { controller: AbortController; done: Promise<WatchEnd> }>();
  const noIdle = new Set<string>();
  const syncs = new NewMailSyncs({
    deps: options.deps,
    signal: stopping.signal,
    onSynced: options.onSynced,
    concurrency: options.deps().concurrency,
  });
  // Sign-ins (a token, a TLS handshake, AUTHENTICATE) a few at a time: a starting worker with a thousand mailboxes
  // does not hit Microsoft's token endpoint and Exchange with a thousand at once.
  const logins = new Slots(LOGINS_AT_ONCE);

  const startWatcher = (account: SyncAccount) => {
    const controller = new AbortController();
    const done = watchInbox({
      account,
      deps: options.deps,
      signIn: (open) => logins.run(open),
      onNewMail: () => syncs.request(account.id),
      signal: controller.signal,
      idleRestartMs: options.idleRestartMs,
      backoff: options.backoff,
    }).then(async (end) => {
      if (end === 'unsupported') {
        noIdle.add(account.id);
        log.info({ accountId: account.id }, 'the mail server offers no IDLE: this mailbox is polled');
      }
      if (watchers.get(account.id)?.controller === controller) {
        watchers.delete(account.id);
        await releaseWatch(db, account.id, owner).catch(() => {});
      }
      return end;
    });
    watchers.set(account.id, { controller, done });
  };

  const stopWatcher = (accountId: string) => {
    watchers.get(accountId)?.controller.abort();
    watchers.delete(accountId);
  };

  const round = async () => {
    const held = await renewWatches(db, owner, leaseMs);
    for (const accountId of [...watchers.keys()]) {
      if (held.has(accountId)) continue;
      // Disabled, removed, INBOX no longer synced, or taken over by a worker that found our claim expired.
      stopWatcher(accountId);
      await releaseWatch(db, accountId, owner);
    }
    if (stopping.signal.aborted) return;
    const claimed = await claimWatches(db, { owner, leaseMs, limit: max - watchers.size, exclude: [...noIdle] });
    for (const account of claimed) if (!watchers.has(account.id)) startWatcher(account);
  };

  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      current = round()
        .catch((error: unknown) => log.warn({ err: error }, 'renewing or claiming mailbox watches failed'))
        .finally(() => {
          if (!stopping.signal.aborted) schedule(Math.max(1_000, Math.floor(leaseMs / 3)));
        });
    }, delay);
    timer.unref();
  };
  if (max > 0) schedule(0);

  return {
    watching: () => [...watchers.keys()],
    stop: async () => {
      if (stopping.signal.aborted) return;
      stopping.abort();
      clearTimeout(timer);
      await current;
      // Claims first: another worker (or this console restarted) watches these mailboxes at once instead of
      // after the lease expires, and a stop cut short after this (Next exits on SIGTERM once its server closed)
      // leaves nothing to wait for. Watching twice for a moment is harmless: every sync goes through the lease.
      await releaseWatchesOf(db, owner).catch((error: unknown) =>
        log.warn({ err: error }, 'freeing this worker’s mailbox watches failed'),
      );
      const ends = [...watchers.values()].map((watcher) => watcher.done);
      for (const accountId of [...watchers.keys()]) stopWatcher(accountId);
      await Promise.allSettled(ends);
      await syncs.settled();
    },
  };
}
