/**
 * The whole database in a few lines: each table's row count and a hash of its contents. Two equal snapshots mean
 * no row was added, removed or changed in between (what "hostile input changes nothing" is checked against).
 */
import postgres from 'postgres';
import { world } from './world';

export type DatabaseSnapshot = Record<string, string>;

export async function withE2eDatabase<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(world().databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}

export async function snapshotDatabase(sql: postgres.Sql): Promise<DatabaseSnapshot> {
  const tables = await sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public' order by tablename`;
  const snapshot: DatabaseSnapshot = {};
  for (const { name } of tables) {
    const [row] = await sql<{ rows: number; hash: string }[]>`
      select count(*)::int as rows, coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') as hash from ${sql(name)} t`;
    snapshot[name] = `${row?.rows ?? 0} rows, ${row?.hash ?? ''}`;
  }
  return snapshot;
}

/** Tables whose snapshot line differs: the "unexpected changes" of a scenario. */
export function changedTables(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name] !== after[name]);
}
