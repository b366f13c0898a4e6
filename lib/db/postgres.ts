import 'server-only';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Database, Db } from '@/lib/db';
import { MIGRATIONS_FOLDER } from '@/lib/db/migrations';
import { noDelaySocketOption } from '@/lib/db/postgres-socket';
import * as schema from '@/lib/db/schema';

// Any fixed number: it only has to be the same for every instance that may migrate at once.
const MIGRATION_LOCK = 7_365_001;

export async function openPostgresDatabase(url: string, options: { migrate?: boolean } = {}): Promise<Database> {
  if (options.migrate !== false) await migratePostgres(url);
  const client = postgres(url, { max: 10, onnotice: () => {}, ...noDelaySocketOption(url) });
  return {
    db: drizzle({ client, schema }) as unknown as Db,
    kind: 'postgres',
    close: () => client.end({ timeout: 5 }),
  };
}

/** Applies pending migrations; an advisory lock lets several instances start at once safely. */
export async function migratePostgres(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}
