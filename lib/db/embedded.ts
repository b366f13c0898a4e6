import 'server-only';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database, Db } from '@/lib/db';
import { assertWritableDataDir } from '@/lib/db/embedded-disk';
import { applyMigrations } from '@/lib/db/migrations';
import * as schema from '@/lib/db/schema';

/** PGlite under the data folder, migrated at every start (it is the only process that opens it). */
export async function openEmbeddedDatabase(dataDir: string): Promise<Database> {
  const folder = path.resolve(dataDir, 'pglite');
  assertWritableDataDir(dataDir);
  // PGlite fails obscurely when the parent folder is missing.
  mkdirSync(path.dirname(folder), { recursive: true, mode: 0o700 });
  const [{ PGlite }, { drizzle }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  const client = await PGlite.create(folder);
  const db = drizzle({ client, schema });
  await applyMigrations(db as unknown as Db);
  return { db: db as unknown as Db, kind: 'pglite', close: () => client.close() };
}
