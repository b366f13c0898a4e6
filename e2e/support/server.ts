/**
 * Starts the e2e world: the Microsoft 365 stand-in (emulator, Dovecot, SMTP) and `next start` on a fresh Postgres
 * database, configured only through the environment like any deployment. Stops all of it when stopped. One per
 * Playwright worker, started by the `world` fixture (test.ts) in that worker's folder (run-files.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness } from '../../test/harness/fixture';
import { createTestDatabase } from '../../test/support/database';
import { RESPONSES_DIR, SECRETS_FILE, SERVER_LOG, WORLD_DIR, WORLD_FILE, type E2eSecrets } from './run-files';
import { E2E_APP, E2E_USERS, type E2eWorld } from './world';

// Chosen by the `world` fixture (test.ts): one port per Playwright worker.
const port = process.env.E2E_WORLD_PORT ?? '3107';
const baseUrl = `http://127.0.0.1:${port}`;

async function main() {
  const harness = await startHarness({
    users: E2E_USERS,
    apps: [
      {
        ...E2E_APP,
        redirectUris: [`${baseUrl}/api/v1/external_credentials/microsoft365/callback`],
        audience: 'single',
      },
    ],
  });
  const database = await createTestDatabase('mg_e2e');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...harness.env,
    DATABASE_URL: database.url,
    APP_BASE_URL: baseUrl,
    APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_SECRET: randomBytes(32).toString('base64'),
    CRON_SECRET: randomBytes(24).toString('hex'),
    NODE_ENV: 'production',
  };
  // Specs read these to reach the same database, stand-in and routes as the server.
  const world: E2eWorld = {
    baseUrl,
    databaseUrl: database.url,
    cronSecret: env.CRON_SECRET ?? '',
    authSecret: env.AUTH_SECRET ?? '',
    harnessUrl: harness.emulator.url,
    mailRoot: path.join(harness.workDir, 'mail'),
  };
  rmSync(WORLD_DIR, { recursive: true, force: true });
  mkdirSync(WORLD_DIR, { recursive: true });
  writeFileSync(WORLD_FILE, JSON.stringify(world));
  // The secret scan (99-secrets-scan.spec.ts) looks for these in the database, the responses and the server log.
  const secrets: E2eSecrets = {
    authSecret: env.AUTH_SECRET ?? '',
    encryptionKey: env.APP_ENCRYPTION_KEY ?? '',
    cronSecret: world.cronSecret,
  };
  writeFileSync(SECRETS_FILE, JSON.stringify(secrets), { mode: 0o600 });
  mkdirSync(RESPONSES_DIR, { recursive: true });

  // Node closes an idle keep-alive socket after 5 s; a request Playwright sends on it at that moment fails with
  // ECONNRESET (CI saw it once, on the cron call of the every-page spec). Idle sockets outlive any pause in a spec.
  const server = spawn(
    process.execPath,
    [require.resolve('next/dist/bin/next'), 'start', '-p', port, '-H', '127.0.0.1', '--keepAliveTimeout', '600000'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Shown as before, and kept whole in a file for the scan.
  const log = createWriteStream(SERVER_LOG);
  server.stdout.on('data', (chunk: Buffer) => (process.stdout.write(chunk), log.write(chunk)));
  server.stderr.on('data', (chunk: Buffer) => (process.stderr.write(chunk), log.write(chunk)));
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    await database.drop().catch(() => {});
    await harness.stop().catch(() => {});
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  server.on('exit', (code) => void stop(code ?? 1));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
