import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationStatus } from '@/lib/db/migrations';
import { directUrlFor, poolerOf, postgresClientOptions, usesPreparedStatements } from '@/lib/db/postgres-options';
import { MIGRATION_LOCK, MigrationLockTimeout, migratePostgres, openPostgresDatabase } from '@/lib/db/postgres';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';

const NEON_POOLED =
  'postgresql://alex:AbC123dEf@ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech/dbname?sslmode=require&channel_binding=require';
const SUPABASE_TRANSACTION = 'postgres://postgres.ref:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres';

const dropLater: TestDatabase[] = [];
afterAll(async () => Promise.all(dropLater.map((d) => d.drop())));

describe('connection poolers', () => {
  it("turns prepared statements off for Supabase's transaction pooler and keeps them where Neon supports them", () => {
    expect(poolerOf(SUPABASE_TRANSACTION)).toBe('supabase-transaction');
    expect(usesPreparedStatements(SUPABASE_TRANSACTION)).toBe(false);
    expect(postgresClientOptions(SUPABASE_TRANSACTION).options.prepare).toBe(false);
    expect(usesPreparedStatements('postgres://u:p@db.example.com:6432/app?pgbouncer=true')).toBe(false);

    expect(poolerOf(NEON_POOLED)).toBe('neon');
    expect(usesPreparedStatements(NEON_POOLED)).toBe(true);
    expect(poolerOf(SUPABASE_TRANSACTION.replace(':6543', ':5432'))).toBeNull();
    expect(usesPreparedStatements('postgres://u:p@127.0.0.1:5432/app')).toBe(true);
    // The setting wins over the URL either way.
    expect(usesPreparedStatements(NEON_POOLED, { preparedStatements: false })).toBe(false);
    expect(usesPreparedStatements(SUPABASE_TRANSACTION, { preparedStatements: true })).toBe(true);
  });

  it('closes idle connections quickly only in serverless functions', () => {
    expect(postgresClientOptions(NEON_POOLED, { serverless: true }).options.idle_timeout).toBe(5);
    expect(postgresClientOptions(NEON_POOLED).options.idle_timeout).toBeUndefined();
  });

  it('migrates over the direct URL: the one given, else the known direct twin of a pooler', () => {
    expect(directUrlFor(NEON_POOLED, 'postgres://direct.example.com/db')).toBe('postgres://direct.example.com/db');
    expect(directUrlFor(NEON_POOLED)).toBe(NEON_POOLED.replace('-pooler.', '.'));
    expect(directUrlFor(SUPABASE_TRANSACTION)).toBe(SUPABASE_TRANSACTION.replace(':6543', ':5432'));
    expect(directUrlFor('postgres://u:p@127.0.0.1:5432/app')).toBe('postgres://u:p@127.0.0.1:5432/app');
    expect(directUrlFor('postgres://u:p@pool.internal:6543/app')).toBeNull();
  });

  it('refuses to migrate over a transaction pooler of unknown shape, and migrates over DIRECT_URL when given', async () => {
    const target = await createTestDatabase('mg_pooler');
    dropLater.push(target);
    const pooled = `${target.url}?pgbouncer=true`;
    await expect(migratePostgres(pooled)).rejects.toThrow(/set DATABASE_URL_UNPOOLED \(or DIRECT_URL\)/);
    const opened = await openPostgresDatabase(pooled, { directUrl: target.url });
    try {
      expect(await migrationStatus(opened.db)).toBe('current');
    } finally {
      await opened.close();
    }
  });
});

describe('the migration lock', () => {
  it('is waited for only so long: a leaked lock fails the start with its holder named, not a hang', async () => {
    const target = await createTestDatabase('mg_lock');
    dropLater.push(target);
    const leaker = postgres(target.url, {
      max: 1,
      onnotice: () => {},
      connection: { application_name: 'stuck-deploy' },
    });
    try {
      const [row] = await leaker<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const pid = row?.pid;
      await leaker`select pg_advisory_lock(${MIGRATION_LOCK})`;
      const attempt = migratePostgres(target.url, { lockTimeoutMs: 300 });
      await expect(attempt).rejects.toBeInstanceOf(MigrationLockTimeout);
      await expect(attempt).rejects.toThrow(`held by backend ${pid} (stuck-deploy)`);
      await expect(attempt).rejects.toThrow(`pg_terminate_backend(${pid})`);

      await leaker`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      expect(await migratePostgres(target.url, { lockTimeoutMs: 300 })).not.toEqual([]);
    } finally {
      await leaker.end();
    }
  });
});
