/**
 * The bench's world: the Microsoft 365 stand-in (with the bench-only password for mbsync) and the product's
 * configuration in process.env, which the sync child processes inherit. Everything listens on loopback.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_TENANT } from '@/test/harness/emulator/model';
import { startHarness, type Harness } from '@/test/harness/fixture';
import type { LinkShape } from '@/test/harness/link-shaper';
import { GRAPH_MAILBOXES } from './graph-mailboxes';

export const BENCH_PASSWORD = 'bench-only-password';
export const BASE_URL = 'http://127.0.0.1:3999';
export const APP = {
  clientId: '6b0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d',
  clientSecret: 'bench~secret-value-0123456789',
  tenant: DEFAULT_TENANT.id,
};

export async function startBenchHarness(options: { link?: LinkShape } = {}): Promise<Harness> {
  const harness = await startHarness({
    benchPassword: BENCH_PASSWORD,
    // Exchange's IMAP personality, on every connection's link when shaped (`npm run bench -- --link 40ms,8MB`).
    exchange: { link: options.link },
    // Long-lived tokens: a 10,000-message run must not depend on refresh timing.
    accessTokenLifetimeSeconds: 3 * 60 * 60,
    apps: [
      {
        clientId: APP.clientId,
        clientSecret: APP.clientSecret,
        redirectUris: [`${BASE_URL}/api/v1/external_credentials/microsoft365/callback`],
        audience: 'single',
        tenant: APP.tenant,
        // The Graph rows read their mailboxes with application access, scoped by RBAC for Applications (bench/graph.ts).
        rbacAssignments: [{ role: 'Application Mail.ReadWrite', mailboxes: GRAPH_MAILBOXES }],
      },
    ],
  });
  Object.assign(process.env, harness.env, {
    APP_ENCRYPTION_KEY: process.env.BENCH_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
    AUTH_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
  });
  return harness;
}

/** The environment a product process (sync child, next start) gets for one database. */
export function productEnv(databaseUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'production', ...extra };
}
