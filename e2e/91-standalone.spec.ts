import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
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

/** The newest modification time of a file under `target` (itself, when it is a file). */
function newestChange(target: string): number {
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(target).map((name) => newestChange(path.join(target, name))));
}

/** dist/cli holds the commands, each newer than everything the commands are compiled from. */
function cliIsFresh(): boolean {
  const dist = path.join(root, 'dist', 'cli');
  if (!existsSync(dist)) return false;
  // A command added to scripts/build-cli.mjs makes scripts/ newer than every output, so it is never missed.
  const outputs = readdirSync(dist)
    .filter((name) => name.endsWith('.cjs'))
    .map((name) => path.join(dist, name));
  if (outputs.length === 0) return false;
  const sources = ['lib', 'scripts', 'drizzle', 'package-lock.json'].map((name) => newestChange(path.join(root, name)));
  return Math.min(...outputs.map((file) => statSync(file).mtimeMs)) > Math.max(...sources);
}

function assembleImage(): string {
  const standalone = path.join(root, '.next', 'standalone');
  if (!existsSync(path.join(standalone, 'server.js')))
    throw new Error('No .next/standalone: run `npx next build` first.');
  // `npm run build` compiles the commands too; compile them here only when that output is missing or older than a
  // source it is built from.
  if (!cliIsFresh()) {
    const run = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`build-cli failed: ${run.stderr}`);
  }
  const app = path.join(mkdtempSync(path.join(tmpdir(), 'mg-image-')), 'app');
  cpSync(standalone, app, { recursive: true });
  cpSync(path.join(root, '.next', 'static'), path.join(app, '.next', 'static'), { recursive: true });
  cpSync(path.join(root, 'dist', 'cli'), path.join(app, 'dist', 'cli'), { recursive: true });
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
