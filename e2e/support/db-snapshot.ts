import postgres from 'postgres';
import { expect } from '@playwright/test';
import { world } from './world';

/** Per table of the e2e database: its row count and a hash over every row's full contents. */
export type DbSnapshot = Record<string, { rows: number; hash: string }>;

export function openWorldDb(): postgres.Sql {
  return postgres(world().databaseUrl, { max: 1, onnotice: () => {} });
}

/**
 * Every table in the public schema, found at run time (a new table cannot be forgotten). Rows are hashed one by
 * one, then the sorted row hashes together, so large message sources never have to be held in one string. A
 * session's last-seen time is left out: it records that the admin was there (at most once a minute), not a change
 * the request under test made, and a long test would otherwise see it move.
 */
export async function snapshotDb(sql: postgres.Sql): Promise<DbSnapshot> {
  const tables = await sql<{ name: string }[]>`select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const snapshot: DbSnapshot = {};
  for (const { name } of tables) {
    const [row] = await sql<{ rows: number; hash: string }[]>`select count(*)::int as rows,
      md5(coalesce(string_agg(h, ',' order by h), '')) as hash
      from (select md5((to_jsonb(t) - 'last_seen_at')::text) as h from ${sql(name)} t) hashed`;
    if (row) snapshot[name] = row;
  }
  return snapshot;
}

/**
 * Waits until nothing changes the database on its own: earlier specs start syncs that keep running after their
 * response (next/server after()), and a snapshot taken mid-sync would blame the request under test.
 */
export async function settledSnapshot(sql: postgres.Sql): Promise<DbSnapshot> {
  let previous: DbSnapshot | undefined;
  let settled: DbSnapshot | undefined;
  await expect
    .poll(
      async () => {
        const [{ busy } = { busy: 0 }] = await sql<{ busy: number }[]>`select
          ((select count(*) from sync_runs where outcome = 'running') + (select count(*) from mail_accounts where lease_expires_at > now()))::int as busy`;
        const current = await snapshotDb(sql);
        const same = busy === 0 && previous !== undefined && JSON.stringify(previous) === JSON.stringify(current);
        previous = current;
        if (same) settled = current;
        return same;
      },
      { timeout: 120_000, intervals: [500, 1_000, 2_000] },
    )
    .toBe(true);
  if (!settled) throw new Error('the database never settled');
  return settled;
}

/** The tables whose rows differ between two snapshots (added, removed or changed). */
export function changedTables(before: DbSnapshot, after: DbSnapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name])).sort();
}

/** Runs `run` with a short-lived connection to the e2e database. */
export async function withE2eDatabase<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = openWorldDb();
  try {
    return await run(sql);
  } finally {
    await sql.end();
  }
}
