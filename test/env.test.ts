import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '@/lib/config/env';

const key = Buffer.alloc(32, 7).toString('base64');
const postgresEnv = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  APP_ENCRYPTION_KEY: key,
  AUTH_SECRET: 'x'.repeat(32),
};

describe('environment', () => {
  it('accepts a complete Postgres configuration', () => {
    const env = parseEnv(postgresEnv);
    expect(env.databaseKind).toBe('postgres');
    expect(env.SYNC_CONCURRENCY).toBe(4);
    expect(env.SYNC_MAX_MESSAGE_MB).toBe(50);
  });

  it('names the variable and what it should look like in one line', () => {
    expect(() => parseEnv({ ...postgresEnv, APP_ENCRYPTION_KEY: 'short' })).toThrow(
      /^Invalid configuration: APP_ENCRYPTION_KEY must be 32 random bytes in base64 \(create one with `openssl rand -base64 32`\)$/,
    );
    expect(() => parseEnv({ ...postgresEnv, DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ URL/,
    );
    expect(() => parseEnv({ ...postgresEnv, APP_BASE_URL: 'not a url' })).toThrow(/APP_BASE_URL must be/);
    expect(() => parseEnv({ ...postgresEnv, MICROSOFT_IMAP_PORT: '99999' })).toThrow(
      /MICROSOFT_IMAP_PORT must be a port number/,
    );
    expect(() => parseEnv({ ...postgresEnv, SYNC_MAX_MESSAGE_MB: '500' })).toThrow(
      /SYNC_MAX_MESSAGE_MB must be a number of megabytes between 1 and 150/,
    );
    expect(() => parseEnv({ ...postgresEnv, SYNC_MAX_MESSAGE_MB: 'lots' })).toThrow(
      /SYNC_MAX_MESSAGE_MB must be a number of megabytes/,
    );
    expect(parseEnv({ ...postgresEnv, SYNC_MAX_MESSAGE_MB: '10' }).SYNC_MAX_MESSAGE_MB).toBe(10);
  });

  it('requires the keys when a Postgres database is configured', () => {
    expect(() => parseEnv({ DATABASE_URL: postgresEnv.DATABASE_URL, AUTH_SECRET: postgresEnv.AUTH_SECRET })).toThrow(
      ConfigError,
    );
    expect(() => parseEnv({ DATABASE_URL: postgresEnv.DATABASE_URL, APP_ENCRYPTION_KEY: key })).toThrow(
      /AUTH_SECRET is required when DATABASE_URL is set/,
    );
  });

  it('treats empty variables as unset', () => {
    expect(parseEnv({ ...postgresEnv, APP_BASE_URL: '', CRON_SECRET: '  ' }).CRON_SECRET).toBeUndefined();
  });

  it('generates the keys once into the data folder in embedded mode, private to the owner', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mg-env-'));
    const first = parseEnv({ DATA_DIR: dataDir });
    const second = parseEnv({ DATA_DIR: dataDir });
    expect(first.databaseKind).toBe('pglite');
    expect(Buffer.from(first.APP_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    expect(second.APP_ENCRYPTION_KEY).toBe(first.APP_ENCRYPTION_KEY);
    expect(second.AUTH_SECRET).toBe(first.AUTH_SECRET);
    const file = path.join(dataDir, 'secrets', 'app_encryption_key');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.APP_ENCRYPTION_KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
