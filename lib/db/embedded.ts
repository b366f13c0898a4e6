import 'server-only';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database, Db } from '@/lib/db/types';
import { assertWritableDataDir } from '@/lib/db/embedded-disk';
import { lockEmbeddedDatabase } from '@/lib/db/embedded-lock';
import { applyMigrations } from '@/lib/db/migrations';
import * as schema from '@/lib/db/schema';

/** PGlite under the data folder, migrated at every start; locked first, so this process is its only opener. */
export async function openEmbeddedDatabase(dataDir: string): Promise<Database> {
  const folder = path.resolve(dataDir, 'pglite');
  assertWritableDataDir(dataDir);
  // PGlite fails obscurely when the parent folder is missing.
  mkdirSync(path.dirname(folder), { recursive: true, mode: 0o700 });
  const unlock = await lockEmbeddedDatabase(folder, (error) => {
    // Another process took the folder over (this one stalled past the lock's stale time): writing on would
    // lose one side's data, so stop.
    console.error(`Stopping: the lock on the embedded database ${folder} was lost (${error.message}).`);
    process.exit(1);
  });
  try {
    const [{ PGlite }, { drizzle }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
    const client = await PGlite.create(folder);
    const db = drizzle({ client, schema });
    await applyMigrations(db as unknown as Db);
    return {
      db: db as unknown as Db,
      kind: 'pglite',
      close: async () => {
        await client.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}
