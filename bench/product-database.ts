/**
 * A fresh database on the machine's Postgres with what an admin would have set up: the first admin, the app
 * credentials, and mailboxes connected through the product's own connect flow (startConnect → the emulator's
 * sign-in pages → completeConnect), so each account holds a real sealed msal token cache.
 */
import type { Database } from '@/lib/db/types';
import { openPostgresDatabase } from '@/lib/db/postgres';
import type { Harness } from '@/test/harness/fixture';
import { SignInDriver } from '@/test/harness/sign-in-driver';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { APP, BASE_URL } from './environment';

export interface ProductDatabase {
  url: string;
  database: Database;
  admin: { id: string; email: string };
  /** Registers the users at the emulator and connects each one; returns account ids in the same order. */
  connect(addresses: string[], concurrency?: number): Promise<string[]>;
  drop(): Promise<void>;
}

export const ADMIN = { email: 'bench-admin@example.com', name: 'Bench Admin', password: 'a long bench password 1' };

export async function createProductDatabase(harness: Harness): Promise<ProductDatabase> {
  const test: TestDatabase = await createTestDatabase('mg_bench');
  const database = await openPostgresDatabase(test.url);
  const { setUpFirstAdmin } = await import('@/lib/auth/setup');
  const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
  const { startConnect } = await import('@/lib/channels/microsoft365/connect');
  const { completeConnect } = await import('@/lib/channels/microsoft365/complete-connect');
  const admin = await setUpFirstAdmin(database.db, ADMIN);
  if (!admin) throw new Error('bench: no admin created');
  await saveAppCredentials(
    database.db,
    {
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
      tenant: APP.tenant,
      cloud: 'global',
      secretExpiresOn: null,
    },
    admin,
  );

  const connectOne = async (address: string): Promise<string> => {
    await harness.control.addUser({ address }).catch(() => undefined); // already registered by an earlier run
    await harness.maildirs.ensureFolder(address);
    const started = await startConnect(database.db, admin, { kind: 'connect' }, BASE_URL);
    if (!started.ok) throw new Error(`bench: ${started.error.message}`);
    const { redirect } = await new SignInDriver().signIn(started.url, address);
    const params = Object.fromEntries(redirect.searchParams) as { state: string; code?: string };
    const result = await completeConnect(database.db, admin, params, BASE_URL);
    if (!result.ok || !result.outcome.ok)
      throw new Error(`bench: connecting ${address} failed: ${JSON.stringify(result)}`);
    return result.outcome.accountId;
  };

  return {
    url: test.url,
    database,
    admin,
    async connect(addresses, concurrency = 8) {
      const ids: string[] = new Array(addresses.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < addresses.length) {
            const i = next++;
            ids[i] = await connectOne(addresses[i] as string);
          }
        }),
      );
      return ids;
    },
    async drop() {
      await database.close();
      await test.drop();
    },
  };
}
