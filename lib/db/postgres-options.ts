import 'server-only';
import { readFileSync } from 'node:fs';
import type { Options } from 'postgres';
import { noDelaySocketOption } from '@/lib/db/postgres-socket';

/** What a deployment may say about its database beyond the URL. */
export interface PostgresSettings {
  /** `DATABASE_PREPARED_STATEMENTS`: overrides what the URL suggests. */
  preparedStatements?: boolean;
  /** Running in serverless functions (Vercel): idle connections are closed quickly. */
  serverless?: boolean;
}

export type PoolerKind = 'supabase-transaction' | 'neon' | 'pgbouncer-flag';

/**
 * Which transaction-mode pooler a URL points at, if any. These hand a server connection to a client only for one
 * transaction, so session state (advisory locks, SET) does not survive between statements:
 * - Supabase's Supavisor in transaction mode listens on port 6543, on the cloud pooler host
 *   (aws-0-<region>.pooler.supabase.com) and in self-hosted Supabase alike; session mode is port 5432
 *   (https://supabase.com/docs/guides/self-hosting/accessing-postgres).
 * - Neon's PgBouncer (transaction mode) is the endpoint id with `-pooler` appended to it
 *   (https://neon.com/docs/manage/connection-pooling).
 * - `pgbouncer=true` is what Supabase's own examples add for Prisma on the pooler URL
 *   (https://supabase.com/docs/guides/troubleshooting/disabling-prepared-statements-qL8lEL).
 */
export function poolerOf(url: string): PoolerKind | null {
  const parsed = parse(url);
  if (!parsed) return null;
  if (parsed.searchParams.get('pgbouncer') === 'true') return 'pgbouncer-flag';
  if (parsed.port === '6543') return 'supabase-transaction';
  if (/^[a-z0-9-]+-pooler\./i.test(parsed.hostname)) return 'neon';
  return null;
}

/**
 * Whether postgres.js may use named prepared statements over this URL.
 * - Supavisor in transaction mode does not support them ("Disabling Prepared statements",
 *   https://supabase.com/docs/guides/troubleshooting/disabling-prepared-statements-qL8lEL); nor, by the
 *   same reasoning, a URL that says `pgbouncer=true`.
 * - Neon's pooler does: "protocol-level prepared statements are supported" on pooled connections (PgBouncer
 *   1.22 with max_prepared_statements; https://neon.com/docs/manage/connection-pooling). postgres.js prepares at
 *   the protocol level only, so they stay on there; DATABASE_PREPARED_STATEMENTS=false turns them off anyway.
 */
export function usesPreparedStatements(url: string, settings: PostgresSettings = {}): boolean {
  if (settings.preparedStatements !== undefined) return settings.preparedStatements;
  const pooler = poolerOf(url);
  return pooler !== 'supabase-transaction' && pooler !== 'pgbouncer-flag';
}

/**
 * The URL for migrations and the migration lock, which need one session from start to end. An explicit direct URL
 * wins (DATABASE_URL_UNPOOLED is what Neon's Vercel integration sets, DIRECT_URL what Supabase's Prisma guide
 * names); else a known pooler's direct twin: Neon's host without `-pooler` ("they differ by one segment",
 * https://neon.com/faqs/postgres-services-built-in-connection-pooling), Supavisor's session mode on port 5432 of
 * the same host, which supports advisory locks (https://supabase.com/docs/guides/self-hosting/accessing-postgres).
 * Null when the URL is a pooler of unknown shape and no direct URL is set: the caller refuses to migrate.
 */
export function directUrlFor(url: string, explicit?: string): string | null {
  if (explicit) return explicit;
  const pooler = poolerOf(url);
  if (pooler === null) return url;
  const parsed = parse(url);
  if (!parsed) return null;
  if (pooler === 'neon') {
    parsed.hostname = parsed.hostname.replace(/^([a-z0-9-]+)-pooler\./i, '$1.');
    return parsed.toString();
  }
  if (pooler === 'supabase-transaction' && parsed.hostname.endsWith('.pooler.supabase.com')) {
    parsed.port = '5432';
    parsed.searchParams.delete('pgbouncer');
    return parsed.toString();
  }
  return null;
}

/**
 * The postgres.js options for a URL. Besides pooling and the no-Nagle socket, two libpq URL parameters that
 * postgres.js 3.4.9 does not understand are translated, because it would otherwise send them to the server as
 * settings and the server refuses the connection ("unrecognized configuration parameter"):
 * - `channel_binding=require`, which Neon puts in every connection string
 *   (https://neon.com/faqs/find-database-url-neon). postgres.js cannot bind the channel (porsager/postgres#1008),
 *   so the certificate and host name are verified instead, which protects against the same man in the middle
 *   ("Using sslmode=verify-full provides the same level of security", neondatabase/neon#2350).
 * - `sslrootcert=<file>`: the CA to verify the server with (postgres.js only knows `sslrootcert=system`).
 */
export function postgresClientOptions(
  url: string,
  settings: PostgresSettings = {},
): { url: string; options: Options<Record<string, never>> } {
  const parsed = parse(url);
  const options: Options<Record<string, never>> = {
    onnotice: () => {},
    prepare: usesPreparedStatements(url, settings),
    ...noDelaySocketOption(url),
  };
  // Vercel suspends a function between requests, and an idle timer does not run while it is suspended: a pool
  // that keeps connections open leaks them to the database (https://vercel.com/blog/the-real-serverless-compute-
  // to-database-connection-problem-solved). Vercel's attachDatabasePool cannot watch postgres.js pools
  // (porsager/postgres#1100), so connections are closed after 5 s idle, the value Vercel's example uses; the
  // next query opens a new one.
  if (settings.serverless) options.idle_timeout = 5;
  if (!parsed) return { url, options };

  const params = parsed.searchParams;
  const channelBinding = params.get('channel_binding');
  const rootCert = params.get('sslrootcert');
  const mode = params.get('sslmode');
  params.delete('channel_binding');
  params.delete('pgbouncer');
  if (rootCert && rootCert !== 'system') {
    params.delete('sslrootcert');
    params.delete('sslmode');
    const ca = readFileSync(rootCert, 'utf8');
    // verify-ca checks the chain but not the name; every other mode given a root certificate checks both.
    options.ssl = mode === 'verify-ca' ? { ca, checkServerIdentity: () => undefined } : { ca };
  } else if (channelBinding === 'require' && mode !== 'verify-full' && mode !== 'disable') {
    params.delete('sslmode');
    options.ssl = 'verify-full';
  }
  return { url: parsed.toString(), options };
}

function parse(url: string): URL | null {
  // A multi-host URL is not a WHATWG URL; postgres.js parses it itself and none of the above applies.
  if (/^[a-z]+:\/\/(?:[^@/]*@)?[^/?#]*,/i.test(url) || !URL.canParse(url)) return null;
  return new URL(url);
}
