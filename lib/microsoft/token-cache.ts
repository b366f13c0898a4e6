import 'server-only';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { secrets } from '@/lib/crypto/secrets';

export const TOKEN_CACHE_CONTEXT = 'mail_accounts.token_cache';

export interface SealedCacheStore {
  load(): Promise<string | null>;
  save(sealed: string): Promise<void>;
}

/**
 * msal keeps its cache (refresh token included) in memory; this plugin loads it from the account's sealed
 * column on the client's first msal call and writes it back, sealed, before msal hands out a token. A rotated
 * refresh token is therefore saved before the access token is used (losing it means AADSTS700082 later).
 * Loaded once: a client serves one acquisition for one account, which is leased (sync) or interactive (send), so
 * nothing else changes the stored cache in between and msal's memory already holds what a reload would read.
 */
export function sealedCachePlugin(store: SealedCacheStore): ICachePlugin {
  let loaded = false;
  return {
    async beforeCacheAccess(context: TokenCacheContext) {
      if (loaded) return;
      const sealed = await store.load();
      if (sealed) context.tokenCache.deserialize(secrets().open(sealed, TOKEN_CACHE_CONTEXT));
      loaded = true;
    },
    async afterCacheAccess(context: TokenCacheContext) {
      if (context.cacheHasChanged)
        await store.save(secrets().seal(context.tokenCache.serialize(), TOKEN_CACHE_CONTEXT));
    },
  };
}

/** A cache that lives only in memory, for the code exchange before the account row exists. */
export function memoryCachePlugin(): ICachePlugin & { sealed(): string | null } {
  let serialized: string | null = null;
  return {
    async beforeCacheAccess(context) {
      if (serialized) context.tokenCache.deserialize(serialized);
    },
    async afterCacheAccess(context) {
      if (context.cacheHasChanged) serialized = context.tokenCache.serialize();
    },
    sealed: () => (serialized ? secrets().seal(serialized, TOKEN_CACHE_CONTEXT) : null),
  };
}
