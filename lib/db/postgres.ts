import 'server-only';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Db } from '@/lib/db/types';
import { applyMigrations, MIGRATIONS_FOLDER, migrationStatus } from '@/lib/db/migrations';
import { directUrlFor, postgresClientOptions, type PostgresSettings } from '@/lib/db/postgres-options';
import * as schema from '@/lib/db/schema';

// Any fixed number: it only has to be the same for every instance that may migrate at once.
export const MIGRATION_LOCK = 7_365_001;

export interface PostgresOpenOptions extends PostgresSettings {
  /** Apply pending migrations before use (default true). */
  migrate?: boolean;
  /** DATABASE_URL_UNPOOLED or DIRECT_URL: where migrations and the migration lock run. */
  directUrl?: string;
  /** How long to wait for another instance's migration lock before giving up (default 60 s). */
  lockTimeoutMs?: number;
}

export async function openPostgresDatabase(url: string, options: PostgresOpenOptions = {}): Promise<Database> {
  const client = postgresClient(url, options, { max: 10 });
  const db = drizzle({ client, schema }) as unknown as Db;
  try {
    // Most starts find the schema current: one query, no lock, no second connection.
    if (options.migrate !== false && (await migrationStatus(db)) !== 'current') await migratePostgres(url, options);
  } catch (error) {
    await client.end({ timeout: 5 }).catch(() => {});
    throw error;
  }
  return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
}

export class MigrationLockTimeout extends Error {
  override name = 'MigrationLockTimeout';
}

/**
 * Applies pending migrations under a session advisory lock, so that several instances starting at once migrate
 * one after the other. Both need one session from start to end, which a transaction pooler does not keep: they
 * run over the direct URL. The wait for the lock is bounded (lock_timeout): a lock leaked by a stuck session
 * makes a new instance fail with the holder named, instead of hanging every start for ever.
 */
export async function migratePostgres(url: string, options: PostgresOpenOptions = {}): Promise<string[]> {
  const direct = directUrlFor(url, options.directUrl);
  if (!direct)
    throw new Error(
      'DATABASE_URL points at a transaction-mode pooler (port 6543 or pgbouncer=true), where migrations and their lock cannot run: set DATABASE_URL_UNPOOLED (or DIRECT_URL) to a direct or session-mode connection',
    );
  const timeoutMs = Math.max(1, Math.round(options.lockTimeoutMs ?? 60_000));
  const client = postgresClient(direct, { ...options, serverless: false }, { max: 1 });
  let locked = false;
  try {
    await client.unsafe(`set lock_timeout = ${timeoutMs}`);
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
      locked = true;
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03') throw error;
      throw new MigrationLockTimeout(await lockTimeoutMessage(client, timeoutMs));
    }
    // Index builds wait for older transactions by design; neither they nor DDL may be cut short by a role's
    // default timeouts halfway through a migration.
    await client.unsafe('set lock_timeout = 0');
    await client.unsafe('set statement_timeout = 0');
    return await applyMigrations(drizzle({ client }) as unknown as Db, MIGRATIONS_FOLDER);
  } finally {
    if (locked) await client`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}

async function lockTimeoutMessage(client: postgres.Sql, timeoutMs: number): Promise<string> {
  // A bigint advisory key is stored as classid (high 32 bits) and objid (low 32 bits).
  const [holder] = await client<{ pid: number; application: string; since: Date | null }[]>`
    select l.pid, coalesce(a.application_name, '') as application, a.backend_start as since
    from pg_locks l left join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.classid = 0 and l.objid = ${MIGRATION_LOCK}`.catch(() => []);
  const who = holder
    ? `backend ${holder.pid}${holder.application ? ` (${holder.application})` : ''}${holder.since ? `, connected since ${holder.since.toISOString()}` : ''}`
    : 'another session';
  return `Waited ${Math.round(timeoutMs / 1000)} s for the migration lock held by ${who}. If no migration is running, end that session with SELECT pg_terminate_backend(${holder?.pid ?? '<pid>'}) and start again.`;
}

function postgresClient(url: string, settings: PostgresSettings, extra: { max: number }): postgres.Sql {
  const { url: clientUrl, options } = postgresClientOptions(url, settings);
  return postgres(clientUrl, { ...options, ...extra });
}
