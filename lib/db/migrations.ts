import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { max } from 'drizzle-orm';
import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import type { Db } from '@/lib/db';

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle');

// drizzle's own bookkeeping table; declared here (not in schema.ts) so drizzle-kit does not manage it.
const appliedMigrations = pgSchema('drizzle').table('__drizzle_migrations', {
  id: serial('id').primaryKey(),
  hash: text('hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }),
});

interface Journal {
  entries: { tag: string; when: number }[];
}

export function latestShippedMigration(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as Journal;
  return Math.max(...journal.entries.map((e) => e.when));
}

/** Compares what drizzle/ ships with what the database has applied. */
export async function migrationStatus(db: Db): Promise<'current' | 'pending'> {
  try {
    const [row] = await db.select({ applied: max(appliedMigrations.createdAt) }).from(appliedMigrations);
    return Number(row?.applied ?? 0) >= latestShippedMigration() ? 'current' : 'pending';
  } catch {
    return 'pending';
  }
}
