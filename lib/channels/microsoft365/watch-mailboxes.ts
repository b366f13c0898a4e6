import 'server-only';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import { getEnv } from '@/lib/config/env';
import type { Db } from '@/lib/db/types';
import { startWatchPool, type WatchPool, type WatchPoolOptions } from '@/lib/sync/watch/watch-pool';
import type { SyncDeps } from '@/lib/sync/types';

/**
 * The product's IMAP IDLE watch (a `--watch` worker, the embedded console): up to SYNC_WATCH_MAX mailboxes, each
 * synced as soon as new mail arrives; undefined when SYNC_WATCH_MAX is 0. Deps are made afresh per connection and
 * per sync, so a changed app secret or cloud is used from the next one on.
 */
export function watchMailboxes(
  db: Db,
  options: Pick<SyncDeps, 'owner' | 'onProgress' | 'signal'> & { owner: string } & Pick<WatchPoolOptions, 'onSynced'>,
): WatchPool | undefined {
  const env = getEnv();
  if (env.SYNC_WATCH_MAX === 0) return undefined;
  return startWatchPool({
    db,
    owner: options.owner,
    deps: () => productSyncDeps(db, options),
    max: env.SYNC_WATCH_MAX,
    leaseMs: env.SYNC_WATCH_LEASE_SECONDS * 1000,
    onSynced: options.onSynced,
  });
}
