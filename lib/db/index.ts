import 'server-only';
import { getEnv, type Env } from '@/lib/config/env';
import { openEmbeddedDatabase } from '@/lib/db/embedded';
import { openPostgresDatabase, type PostgresOpenOptions } from '@/lib/db/postgres';
import * as schema from '@/lib/db/schema';
import type { Database, Db } from '@/lib/db/types';

export type { Database, Db, Tx } from '@/lib/db/types';

// One client per process; globalThis survives dev hot reloads and Next's separate server bundles.
const cache = globalThis as unknown as { __mailgateDb?: Promise<Database> };

/** The process's database, migrated to the current schema before first use. */
export function getDatabase(): Promise<Database> {
  cache.__mailgateDb ??= openDatabase().catch((error: unknown) => {
    cache.__mailgateDb = undefined;
    throw error;
  });
  return cache.__mailgateDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

async function openDatabase(): Promise<Database> {
  const env = getEnv();
  if (!env.DATABASE_URL) return openEmbeddedDatabase(env.DATA_DIR);
  return openPostgresDatabase(env.DATABASE_URL, postgresOptionsOf(env));
}

/** How the deployment's variables shape the Postgres connections (pooler, direct URL, lock wait, serverless). */
export function postgresOptionsOf(env: Env): PostgresOpenOptions {
  return {
    directUrl: env.DATABASE_URL_UNPOOLED ?? env.DIRECT_URL,
    preparedStatements: env.DATABASE_PREPARED_STATEMENTS,
    serverless: Boolean(env.VERCEL),
    lockTimeoutMs: env.MIGRATION_LOCK_TIMEOUT_SECONDS * 1000,
  };
}

export async function closeDatabase(): Promise<void> {
  const open = cache.__mailgateDb;
  cache.__mailgateDb = undefined;
  if (open) await (await open).close();
}

export { schema };
