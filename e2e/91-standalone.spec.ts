import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freePort } from './support/ports';
import { createTestDatabase, type TestDatabase } from '../test/support/database';

/**
 * What the container image holds (see Dockerfile), assembled from this build into a folder of its own: Next's
 * standalone server with only the node_modules it traced, its static files, and the compiled commands. No dev
 * dependency, no project checkout: the console, `npm run db:migrate` and the `npm run sync -- --watch` worker must
 * start and work against Postgres from there.
 */
const root = process.cwd();
const children = new Set<ChildProcess>();
let database: TestDatabase | undefined;

test.afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await database?.drop();
});

function assembleImage(): string {
  const standalone = path.join(root, '.next', 'standalone');
  if (!existsSync(path.join(standalone, 'server.js')))
    throw new Error('No .next/standalone: run `npx next build` first.');
  const app = path.join(mkdtempSync(path.join(tmpdir(), 'mg-image-')), 'app');
  cpSync(standalone, app, { recursive: true });
  cpSync(path.join(root, '.next', 'static'), path.join(app, '.next', 'static'), { recursive: true });
  // Every command compiled afresh straight into the image, as `npm run build` does for the Dockerfile: the
  // checkout's dist/cli may hold only the commands other tests ran (`npm run sync` compiles just itself).
  const cli = spawnSync(process.execPath, ['scripts/build-cli.mjs', path.join(app, 'dist', 'cli')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (cli.status !== 0) throw new Error(`build-cli failed: ${cli.stderr}`);
  cpSync(path.join(root, 'scripts', 'cli.mjs'), path.join(app, 'scripts', 'cli.mjs'));
  return app;
}

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (children.delete(child), resolve(code))),
  );
  return { child, exited, output: () => output };
}

test('the container’s contents run the console, the migrations and the sync worker without dev dependencies', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const port = await freePort();
  const app = assembleImage();
  database = await createTestDatabase('mg_image');
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_SECRET: randomBytes(32).toString('base64'),
    APP_BASE_URL: base,
    LOG_LEVEL: 'warn',
  };

  // The one-shot migrate service.
  const migrate = start('npm', ['run', '--silent', 'db:migrate'], app, env);
  expect(await migrate.exited, migrate.output()).toBe(0);
  expect(migrate.output()).toContain('Migrations applied: 0000_init');

  // The console: the standalone server.
  const server = start(process.execPath, ['server.js'], app, { ...env, PORT: String(port), HOSTNAME: '127.0.0.1' });
  await expect
    .poll(async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status, { timeout: 60_000 })
    .toBe(200);
  expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ ok: true, db: 'postgres', migrations: 'current' });
  await page.goto(`${base}/`);
  await expect(page).toHaveURL(`${base}/setup`);
  await expect(page.getByLabel('Set-up token')).toBeVisible();
  expect(server.output()).toMatch(/Set-up token for the first administrator: [0-9A-Z-]{23}/);

  // The worker as compose runs it (what `npm run sync -- --watch` runs, without npm in between: npm does not wait
  // for its script to finish after a SIGTERM), then the SIGTERM of `docker stop`.
  const worker = start(process.execPath, ['scripts/cli.mjs', 'sync', '--watch'], app, env);
  await expect.poll(() => worker.output(), { timeout: 60_000 }).toContain('pass done');
  worker.child.kill('SIGTERM');
  await worker.exited;
  expect(worker.output()).toContain('Database connections closed.');

  server.child.kill('SIGTERM');
  await server.exited;
});
