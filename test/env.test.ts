import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBuildEnvironment } from '@/lib/config/deployment-env';
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
    expect(env.SYNC_CONNECTIONS_PER_MAILBOX).toBe(4);
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
    expect(() => parseEnv({ ...postgresEnv, MICROSOFT_GRAPH_URL: 'ftp://127.0.0.1' })).toThrow(
      /MICROSOFT_GRAPH_URL must be an http\(s\) URL of a Microsoft Graph stand-in/,
    );
    expect(() => parseEnv({ ...postgresEnv, MICROSOFT_GRAPH_URL: 'http://127.0.0.1:4011/v1.0' })).toThrow(
      /MICROSOFT_GRAPH_URL must be an origin without a path/,
    );
    expect(parseEnv({ ...postgresEnv, MICROSOFT_GRAPH_URL: 'http://127.0.0.1:4011' }).MICROSOFT_GRAPH_URL).toBe(
      'http://127.0.0.1:4011',
    );
    for (const url of ['http://mailgate.example.com/api/v1/graph/notifications', 'not a url', 'ftp://127.0.0.1/x'])
      expect(() => parseEnv({ ...postgresEnv, GRAPH_NOTIFICATION_URL: url })).toThrow(
        /GRAPH_NOTIFICATION_URL must be the https URL of \/api\/v1\/graph\/notifications/,
      );
    for (const url of [
      'https://mailgate.example.com/api/v1/graph/notifications',
      'http://127.0.0.1:3000/api/v1/graph/notifications',
    ])
      expect(parseEnv({ ...postgresEnv, GRAPH_NOTIFICATION_URL: url }).GRAPH_NOTIFICATION_URL).toBe(url);
    expect(() => parseEnv({ ...postgresEnv, SYNC_MAX_MESSAGE_MB: '500' })).toThrow(
      /SYNC_MAX_MESSAGE_MB must be a number of megabytes between 1 and 150/,
    );
    expect(() => parseEnv({ ...postgresEnv, SYNC_MAX_MESSAGE_MB: 'lots' })).toThrow(
      /SYNC_MAX_MESSAGE_MB must be a number of megabytes/,
    );
    expect(parseEnv({ ...postgresEnv, SYNC_MAX_MESSAGE_MB: '10' }).SYNC_MAX_MESSAGE_MB).toBe(10);
    expect(() => parseEnv({ ...postgresEnv, SYNC_CONNECTIONS_PER_MAILBOX: '30' })).toThrow(
      /SYNC_CONNECTIONS_PER_MAILBOX must be at most 8 \(Exchange Online allows 20/,
    );
    expect(() => parseEnv({ ...postgresEnv, SYNC_CONNECTIONS_PER_MAILBOX: '0' })).toThrow(
      /SYNC_CONNECTIONS_PER_MAILBOX must be a number of IMAP connections between 1 and 8/,
    );
    expect(parseEnv({ ...postgresEnv, SYNC_CONNECTIONS_PER_MAILBOX: '1' }).SYNC_CONNECTIONS_PER_MAILBOX).toBe(1);
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

describe('deployment environment', () => {
  it('stops with one line saying to set DATABASE_URL on Vercel, before writing to its read-only disk', () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mg-env-')), 'data');
    expect(() => parseEnv({ VERCEL: '1', DATA_DIR: dataDir })).toThrow(
      /^Invalid configuration: set DATABASE_URL\. Vercel has no writable disk for the embedded database/,
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('stops with one line when DATA_DIR cannot be written', () => {
    // /sys refuses every mkdir here (EPERM/EROFS), as a read-only root file system does.
    expect(() => parseEnv({ DATA_DIR: '/sys/mailgate-data' })).toThrow(
      /^Invalid configuration: set DATABASE_URL, or DATA_DIR to a writable folder: the embedded database cannot write to \/sys\/mailgate-data \((EROFS|EPERM|EACCES)\)$/,
    );
  });

  it('takes the public URL from APP_BASE_URL, else from Vercel’s production domain, never with a path', () => {
    expect(parseEnv({ ...postgresEnv, APP_BASE_URL: 'https://mail.example.com/' }).publicBaseUrl).toBe(
      'https://mail.example.com',
    );
    expect(
      parseEnv({ ...postgresEnv, VERCEL: '1', VERCEL_PROJECT_PRODUCTION_URL: 'mailgate.vercel.app' }).publicBaseUrl,
    ).toBe('https://mailgate.vercel.app');
    expect(parseEnv(postgresEnv).publicBaseUrl).toBeUndefined();
    expect(() => parseEnv({ ...postgresEnv, APP_BASE_URL: 'https://mail.example.com/console' })).toThrow(
      /APP_BASE_URL must be the console's public http\(s\) URL without a path/,
    );
  });

  it('wants ADMIN_EMAIL and ADMIN_PASSWORD together', () => {
    expect(() => parseEnv({ ...postgresEnv, ADMIN_EMAIL: 'ada@example.com' })).toThrow(
      /ADMIN_EMAIL and ADMIN_PASSWORD go together/,
    );
  });

  it('checks a build: formats everywhere, what production needs on Vercel, nothing required elsewhere', () => {
    expect(() => checkBuildEnvironment({})).not.toThrow();
    expect(() => checkBuildEnvironment({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a postgres:\/\//);
    expect(() => checkBuildEnvironment({ DATABASE_URL_UNPOOLED: 'nope' })).toThrow(/DATABASE_URL_UNPOOLED must be/);
    expect(() => checkBuildEnvironment({ VERCEL: '1' })).toThrow(/set DATABASE_URL/);
    expect(() => checkBuildEnvironment({ VERCEL: '1', DATABASE_URL: postgresEnv.DATABASE_URL })).toThrow(
      /APP_ENCRYPTION_KEY and AUTH_SECRET are required on Vercel/,
    );
    const vercel = { ...postgresEnv, VERCEL: '1', VERCEL_ENV: 'production' };
    expect(() => checkBuildEnvironment(vercel)).toThrow(/set APP_BASE_URL/);
    expect(() =>
      checkBuildEnvironment({ ...vercel, VERCEL_PROJECT_PRODUCTION_URL: 'mailgate.vercel.app' }),
    ).not.toThrow();
  });
});
