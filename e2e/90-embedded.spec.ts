import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from './support/ports';

// `npm start` with no DATABASE_URL must come up on PGlite in the data folder, migrated, with generated keys.
let server: ChildProcess | undefined;

function runScript(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--conditions=react-server', script],
      { env, cwd: process.cwd(), timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test.afterAll(async () => {
  if (server?.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server?.once('exit', resolve));
  }
});

test('the production server starts on the embedded database with no configuration', async ({ page }) => {
  test.setTimeout(180_000); // a cold start migrates PGlite: slow on a loaded machine
  const port = await freePort();
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
    .poll(async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status, { timeout: 120_000 })
    .toBe(200);
  expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ ok: true, db: 'pglite', migrations: 'current' });

  await page.goto(`${base}/`);
  await expect(page).toHaveURL(`${base}/setup`);
  await expect(page.getByRole('heading', { name: 'Welcome to Mailgate 365' })).toBeVisible();

  // The console owns the embedded database: `npm run sync` asks it to sync instead of opening it a second time.
  const sync = await runScript('scripts/sync.ts', env);
  expect(sync.stderr).toBe('');
  expect(sync.stdout).toContain(`Asked the console at http://127.0.0.1:${port} to sync`);
  expect(sync.stdout).toMatch(/pass done: 0 accounts/);
  expect(sync.code).toBe(0);
});
