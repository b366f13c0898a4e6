import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fillSetup } from './support/admin';
import { freePort } from './support/ports';
import { expect, test } from './support/test';

// A newcomer follows the README: `npm run demo`, open the console, create the administrator, add a mailbox, and
// see mail arrive by the console's own schedule and a verified mail flow. The production build serves it
// (DEMO_SERVER=start) so the spec does not wait for `next dev` to compile; a free port, never 3000.
let demo: ChildProcess | undefined;
let output = '';
const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mg-newcomer-')), 'demo');

test.afterAll(async () => {
  if (demo?.pid && demo.exitCode === null) {
    // The demo stops the console and the stand-in on SIGTERM; the whole group gets it, as Ctrl-C would.
    process.kill(-demo.pid, 'SIGTERM');
    await new Promise((resolve) => demo?.once('exit', resolve));
  }
  rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

test('newcomer: npm run demo, then the README’s steps, to a verified mail flow', async ({ page }) => {
  test.setTimeout(240_000);
  const port = await freePort();
  const base = `http://localhost:${port}`;
  demo = spawn('npm', ['run', 'demo'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      DEMO_SERVER: 'start',
      // Six seconds instead of five minutes, so the spec sees the console's own schedule at work.
      SYNC_INTERVAL_MINUTES: '0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      APP_BASE_URL: '',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await expect
    .poll(async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status, {
      timeout: 120_000,
      message: `npm run demo serves ${base}`,
    })
    .toBe(200)
    .catch((error: unknown) => {
      throw new Error(`${String(error)}\n--- npm run demo said:\n${output.slice(-3000)}`);
    });
  expect(output).toContain(`the console starts at ${base}`);

  await page.goto(base);
  await expect(page).toHaveURL(`${base}/setup`);
  // The production build (DEMO_SERVER=start) asks for the set-up token it printed, as the README says.
  const printed = /Set-up token for the first administrator: ([0-9A-Z-]+)/;
  await expect.poll(() => printed.exec(output)?.[1], { message: 'npm run demo printed the set-up token' }).toBeTruthy();
  const token = printed.exec(output)?.[1];
  await fillSetup(
    page,
    { name: 'Nia Newcomer', email: 'nia@example.com', password: 'a newcomer’s long password' },
    token,
  );
  await expect(page).toHaveURL(`${base}/channels/microsoft365`);
  // The demo app is already saved: no credentials to copy.
  await expect(page.getByRole('heading', { name: 'Microsoft 365 app' })).toBeVisible();
  await expect(page.getByText('3f0b4d6e-8a1c-4e2f-9b3d-5c7e9a1b2c4d')).toBeVisible();

  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Sign in as Alice Admin (alice@contoso.test)' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'alice@contoso.test' })).toBeVisible();
  await expect(page.getByText('Connected. The mailbox signed in and its IMAP access was verified.')).toBeVisible();
  // The end of connect shows the mailbox address it took; the newcomer accepts it and goes on to the mailbox.
  await page.getByRole('link', { name: 'Continue to the mailbox' }).click();
  await expect(page).toHaveURL(/\/channels\/microsoft365\/accounts\/[0-9a-f-]+$/);

  // Nobody presses Sync now: the console syncs the new mailbox by itself, through its schedule's pass or the IDLE
  // watch's first look at the inbox, whichever takes the mailbox first; its mail is from the last 30 days.
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByRole('cell', { name: /^(Console schedule|New mail \(IDLE\))$/ }).count();
      },
      { timeout: 60_000, intervals: [3_000] },
    )
    .toBeGreaterThan(0);
  // The run is listed from its start; the chart counts what it stored once it has ended (slow on a loaded machine).
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.locator('figcaption').textContent();
      },
      { timeout: 120_000, intervals: [3_000] },
    )
    .toMatch(/^300 messages in the last 30 days; the busiest day was/);

  await page.getByRole('button', { name: 'Verify mail flow' }).click();
  await expect(page.locator('[data-leg="Send (SMTP)"][data-ok="true"]')).toBeVisible({ timeout: 70_000 });
  await expect(page.locator('[data-leg="Receive (IMAP sync)"][data-ok="true"]')).toBeVisible();
});
