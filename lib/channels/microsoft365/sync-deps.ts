import 'server-only';
import { endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import { loadAppWithSecret, type AppWithSecret } from '@/lib/channels/microsoft365/app-credentials';
import { acquireAccountAccess, acquireMailAccess } from '@/lib/channels/microsoft365/tokens';
import { getEnv } from '@/lib/config/env';
import type { Db } from '@/lib/db/types';
import type { SyncDeps } from '@/lib/sync/types';

/**
 * The sync engine wired to the product: tokens from each account's sealed msal cache, IMAP endpoints of the
 * app's cloud (or the deployment's custom endpoints), and Graph mailboxes through the cloud's Graph (or the configured
 * Graph URL) with the token their access calls for. Every entry point (cron route, CLI, "Sync now") uses this.
 */
export function productSyncDeps(
  db: Db,
  options: Omit<SyncDeps, 'db' | 'getAccessToken' | 'imapEndpoint' | 'graphMailbox'> = {},
): SyncDeps {
  // Read once per pass (deps live for one runSync), not twice per account: a pass is minutes at most, and an
  // app saved meanwhile is used from the next pass on. A failed read is not kept.
  let app: Promise<AppWithSecret | null> | undefined;
  const loadApp = () => {
    app ??= loadAppWithSecret(db);
    app.catch(() => (app = undefined));
    return app;
  };
  return {
    concurrency: getEnv().SYNC_CONCURRENCY,
    connectionsPerMailbox: getEnv().SYNC_CONNECTIONS_PER_MAILBOX,
    maxMessageBytes: getEnv().SYNC_MAX_MESSAGE_MB * 1024 * 1024,
    ...options,
    db,
    getAccessToken: async (account, tokenOptions) => {
      const { accessToken, expiresOn } = await acquireMailAccess(db, account.id, { ...tokenOptions, app: loadApp });
      return { accessToken, expiresOn };
    },
    imapEndpoint: async () => endpointsFor((await loadApp())?.cloud ?? 'global').imap,
    graphMailbox: async (account) => {
      const access = await acquireAccountAccess(db, account.id, { app: loadApp });
      if (access.transport !== 'graph') throw new Error(`Account ${account.id} is not read through Graph`);
      const { mailbox, endpoints, token } = access.graph;
      return { mailbox, baseUrl: endpoints.graphBaseUrl, token };
    },
  };
}
