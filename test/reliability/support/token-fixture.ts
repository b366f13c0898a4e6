/**
 * The product as deployed, for the token and mailbox fault scenarios: mailboxes connected through the real
 * sign-in flow (msal against the emulator), syncs run with `productSyncDeps` (tokens from each account's sealed
 * msal cache), and the checks every scenario repeats (the account row, exactness against Dovecot).
 */
import { eq } from 'drizzle-orm';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';
import { serverSources } from '@/test/support/sync-harness';
import { compareWithServer, type Exactness } from '@/test/reliability/support/exactness';
import type { HarnessOptions } from '@/test/harness/fixture';
import type { SyncDeps, SyncReport } from '@/lib/sync/types';

export interface TokenFixture {
  f: ChannelFixture;
  /** Account id by mailbox address, in the order given. */
  ids: Map<string, string>;
  idOf(address: string): string;
  /** One pass as the cron route runs it (every due account), optionally as if `laterMs` had passed. */
  pass(options?: {
    laterMs?: number;
    deps?: Partial<Omit<SyncDeps, 'db' | 'getAccessToken' | 'imapEndpoint'>>;
  }): Promise<SyncReport>;
  account(address: string): Promise<typeof import('@/lib/db/schema').mailAccounts.$inferSelect>;
  exactness(address: string, folder?: string): Promise<Exactness>;
  /** Sums of exactness over several mailboxes (a scenario's row). */
  totals(addresses: string[], folder?: string): Promise<Exactness>;
  stop(): Promise<void>;
}

/** Connects each address (beyond alice and bob, which the channel fixture always knows) through the real flow. */
export async function startTokenFixture(addresses: string[], options: HarnessOptions = {}): Promise<TokenFixture> {
  const extra = addresses.filter((a) => a !== 'alice@contoso.test' && a !== 'bob@contoso.test');
  const f = await startChannelFixture({
    ...options,
    users: [...(options.users ?? []), ...extra.map((address) => ({ address }))],
  });
  try {
    const ids = new Map<string, string>();
    for (const address of addresses) {
      await f.harness.maildirs.ensureFolder(address);
      const result = await f.complete(await f.signIn({ kind: 'connect' }, address));
      if (!result.ok || !result.outcome.ok) throw new Error(`connecting ${address} failed: ${JSON.stringify(result)}`);
      ids.set(address, result.outcome.accountId);
    }
    const schema = await import('@/lib/db/schema');
    const { productSyncDeps } = await import('@/lib/channels/microsoft365/sync-deps');
    const { runSync } = await import('@/lib/sync/run');
    const idOf = (address: string) => {
      const id = ids.get(address);
      if (!id) throw new Error(`no account for ${address}`);
      return id;
    };
    const exactness = async (address: string, folder = 'INBOX') => {
      const { access_token: token } = await f.harness.control.issueTokens({ address });
      return compareWithServer(f.db, idOf(address), await serverSources(f.harness, address, token, folder), folder);
    };
    return {
      f,
      ids,
      idOf,
      pass: ({ laterMs = 0, deps = {} } = {}) =>
        runSync(productSyncDeps(f.db, { now: () => new Date(Date.now() + laterMs), ...deps }), { trigger: 'cron' }),
      async account(address) {
        const [row] = await f.db
          .select()
          .from(schema.mailAccounts)
          .where(eq(schema.mailAccounts.id, idOf(address)));
        if (!row) throw new Error(`account ${address} is gone`);
        return row;
      },
      exactness,
      async totals(list, folder) {
        const sum: Exactness = { expected: 0, stored: 0, lost: 0, duplicated: 0, altered: 0 };
        for (const address of list) {
          const one = await exactness(address, folder);
          for (const key of Object.keys(sum) as Array<keyof Exactness>) sum[key] += one[key];
        }
        return sum;
      },
      stop: () => f.stop(),
    };
  } catch (error) {
    await f.stop();
    throw error;
  }
}

/** Forgets the parsed environment so the next `getEnv()` reads process.env again (a changed login URL). */
export function reloadProductEnv(changes: Record<string, string>): void {
  Object.assign(process.env, changes);
  (globalThis as unknown as { __mailgateEnv?: unknown }).__mailgateEnv = undefined;
}
