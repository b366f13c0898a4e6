import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { max, sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import type { Db } from '@/lib/db/types';

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle');

// drizzle's own bookkeeping table (the same rows drizzle's migrator writes, so databases it migrated go on from
// where they are); declared here, not in schema.ts, so drizzle-kit does not manage it.
const appliedMigrations = pgSchema('drizzle').table('__drizzle_migrations', {
  id: serial('id').primaryKey(),
  hash: text('hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }),
});

interface Journal {
  entries: { tag: string; when: number }[];
}

export interface Migration {
  tag: string;
  /** The journal's timestamp: a database has applied every migration up to its newest row's created_at. */
  when: number;
  hash: string;
  statements: string[];
  /** Builds or drops indexes CONCURRENTLY: run statement by statement, outside a transaction. */
  concurrent: boolean;
}

const CONCURRENTLY =
  /^\s*(?:--[^\n]*\n\s*)*(create\s+(?:unique\s+)?index|drop\s+index|reindex\s+\w+)\s+concurrently\b/i;

export function readMigrations(folder = MIGRATIONS_FOLDER): Migration[] {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  return readMigrationFiles({ migrationsFolder: folder }).map((file, index) => {
    const tag = journal.entries[index]?.tag ?? String(file.folderMillis);
    const statements = file.sql.filter((statement) => statement.trim() !== '');
    const concurrent = statements.filter((statement) => CONCURRENTLY.test(statement)).length;
    // Postgres refuses CONCURRENTLY inside a transaction, and a migration half applied outside one cannot be
    // re-run safely unless each of its statements can be repeated: only index builds and drops can.
    if (concurrent > 0 && concurrent < statements.length)
      throw new Error(
        `Migration ${tag} mixes CONCURRENTLY index statements with others: generate the index changes as a migration of their own.`,
      );
    return { tag, when: file.folderMillis, hash: file.hash, statements, concurrent: concurrent > 0 };
  });
}

export function latestShippedMigration(folder = MIGRATIONS_FOLDER): number {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
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

/**
 * Applies the pending migrations, each in its own transaction with its bookkeeping row, except those that build
 * indexes CONCURRENTLY: a plain CREATE INDEX on a big table blocks every insert (the sync's batches) until it is
 * built, CONCURRENTLY does not, but cannot run inside a transaction. Such a migration runs statement by statement
 * and is recorded once all are done; re-run after an interruption, an index it left invalid is dropped and
 * built again, one it finished is kept. The caller holds the migration lock (Postgres) or is the only opener
 * (PGlite, where CONCURRENTLY works too and waits for nobody).
 */
export async function applyMigrations(db: Db, folder = MIGRATIONS_FOLDER): Promise<string[]> {
  const migrations = readMigrations(folder);
  await db.execute(sql`create schema if not exists drizzle`);
  await db.execute(
    sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
  );
  const [row] = await db.select({ applied: max(appliedMigrations.createdAt) }).from(appliedMigrations);
  const applied = Number(row?.applied ?? 0);
  const done: string[] = [];
  for (const migration of migrations.filter((m) => m.when > applied)) {
    const record = { hash: migration.hash, createdAt: migration.when };
    if (migration.concurrent) {
      for (const statement of migration.statements) await runConcurrently(db, statement);
      await db.insert(appliedMigrations).values(record);
    } else {
      await db.transaction(async (tx) => {
        for (const statement of migration.statements) await tx.execute(sql.raw(statement));
        await tx.insert(appliedMigrations).values(record);
      });
    }
    done.push(migration.tag);
  }
  return done;
}

const CREATE_INDEX = /create\s+(?:unique\s+)?index\s+concurrently\s+(?:if\s+not\s+exists\s+)?"?([A-Za-z0-9_$]+)"?/i;

async function runConcurrently(db: Db, statement: string): Promise<void> {
  const name = CREATE_INDEX.exec(statement)?.[1];
  if (name) {
    const result: unknown = await db.execute(sql`
      select i.indisvalid as valid from pg_index i
      join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
      where c.relname = ${name} and n.nspname = current_schema()`);
    // postgres.js answers with the rows, PGlite with { rows }.
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { valid: boolean }[];
    const existing = rows[0];
    if (existing?.valid) return;
    // An interrupted CREATE INDEX CONCURRENTLY leaves an invalid index behind that is never used but still
    // updated on every write (https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY).
    if (existing) await db.execute(sql.raw(`drop index concurrently if exists "${name}"`));
  }
  await db.execute(sql.raw(statement));
}
