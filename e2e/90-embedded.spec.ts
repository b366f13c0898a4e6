import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';

// `npm start` with no DATABASE_URL must come up on PGlite in the data folder, migrated, with generated keys.
const port = Number(process.env.E2E_EMBEDDED_PORT ?? 3108);
let server: ChildProcess | undefined;

test.afterAll(async () => {
  if (server?.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server?.once('exit', resolve));
  }
});

test('the production server starts on the embedded database with no configuration', async ({ page }) => {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mg-embedded-')), 'data');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    // Production always needs its public URL (OAuth redirect URIs are built from it); nothing else.
    APP_BASE_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  server = spawn(
    process.execPath,
    [require.resolve('next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'],
    { env, stdio: 'inherit' },
  );

  const base = `http://127.0.0.1:${port}`;
  await expect
    .poll(async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status, { timeout: 60_000 })
    .toBe(200);
  expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ ok: true, db: 'pglite', migrations: 'current' });

  await page.goto(`${base}/`);
  await expect(page).toHaveURL(`${base}/setup`);
  await expect(page.getByRole('heading', { name: 'Welcome to Mailgate 365' })).toBeVisible();
});
