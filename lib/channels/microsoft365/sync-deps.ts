import 'server-only';
import { endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import { acquireMailAccessToken } from '@/lib/channels/microsoft365/tokens';
import { getEnv } from '@/lib/config/env';
import type { Db } from '@/lib/db';
import { findActiveApp } from '@/lib/db/queries/microsoft365-apps';
import type { SyncDeps } from '@/lib/sync/types';

/**
 * The sync engine wired to the product: tokens from each account's sealed msal cache, IMAP endpoints of the
 * app's cloud (or the deployment's custom endpoints). Every entry point (cron route, CLI, "Sync now") uses this.
 */
export function productSyncDeps(db: Db, options: Omit<SyncDeps, 'db' | 'getAccessToken' | 'imapEndpoint'> = {}): SyncDeps {
  return {
    concurrency: getEnv().SYNC_CONCURRENCY,
    ...options,
    db,
    getAccessToken: (account, tokenOptions) => acquireMailAccessToken(db, account.id, tokenOptions),
    imapEndpoint: async () => endpointsFor((await findActiveApp(db))?.cloud ?? 'global').imap,
  };
}
