import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { assertLoopback } from '@/test/support/loopback';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the machine's Postgres for one test file; dropped afterwards. */
export async function createTestDatabase(prefix = 'mg_test'): Promise<TestDatabase> {
  const admin = new URL(ADMIN_URL);
  assertLoopback(admin.hostname);
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create database "${name}"`);
  await sql.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const cleanup = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

/** Points the product's configuration at a test database, with fixed throw-away keys. */
export function configureTestEnvironment(databaseUrl: string, extra: Record<string, string> = {}) {
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    ...extra,
  });
}
