/**
 * Starts `next start` for the e2e run on a fresh Postgres database, and drops the database when stopped.
 * The product is configured only through its environment, like any deployment.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase } from '../../test/support/database';

const port = process.env.E2E_PORT ?? '3107';

async function main() {
  const database = await createTestDatabase('mg_e2e');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    APP_BASE_URL: `http://127.0.0.1:${port}`,
    APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_SECRET: randomBytes(32).toString('base64'),
    CRON_SECRET: randomBytes(24).toString('hex'),
    NODE_ENV: 'production',
  };
  mkdirSync(path.join(process.cwd(), 'test-results'), { recursive: true });
  // Specs read these to talk to the same database and routes as the server.
  writeFileSync(path.join(process.cwd(), 'test-results', 'e2e-env.json'), JSON.stringify({ DATABASE_URL: database.url, CRON_SECRET: env.CRON_SECRET }));

  const server = spawn(process.execPath, [require.resolve('next/dist/bin/next'), 'start', '-p', port, '-H', '127.0.0.1'], {
    env,
    stdio: 'inherit',
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    await database.drop().catch(() => {});
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
