import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test as base } from '@playwright/test';
import { recordResponses } from './response-log';
import { SERVER_LOG, WORLD_DIR, WORLD_PORT } from './run-files';
import { world as readWorld, type E2eWorld } from './world';

const START_TIMEOUT_MS = 180_000;

async function healthy(url: string): Promise<boolean> {
  return (await fetch(`${url}/api/health`).catch(() => undefined))?.status === 200;
}

function logTail(): string {
  try {
    return readFileSync(SERVER_LOG, 'utf8').slice(-3000);
  } catch {
    return '(no server log)';
  }
}

/** Starts server.ts for this worker and waits until its console answers; the child stops the world on SIGTERM. */
async function startWorld(): Promise<{ world: E2eWorld; server: ChildProcess }> {
  const server = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(__dirname, 'server.ts')], {
    env: { ...process.env, E2E_WORLD_PORT: String(WORLD_PORT), E2E_WORLD_DIR: WORLD_DIR },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${WORLD_PORT}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await healthy(url))) {
    if (server.exitCode !== null) throw new Error(`the e2e world stopped (${server.exitCode}):\n${logTail()}`);
    if (Date.now() > deadline) {
      server.kill('SIGTERM');
      throw new Error(`the e2e world did not answer on ${url} within ${START_TIMEOUT_MS} ms:\n${logTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { world: readWorld(), server };
}

/**
 * `world`: this worker's own console, database and Microsoft 365 stand-in (server.ts), started before the worker's
 * first spec and stopped with the worker; specs of different workers never share state. What a
 * spec needs in it (an admin, a mailbox) it makes itself with the helpers in console-state.ts.
 *
 * Every spec's page records the bodies it receives, for the secret scan (99-secrets-scan.spec.ts).
 */
export const test = base.extend<object, { world: E2eWorld }>({
  world: [
    async ({}, use) => {
      const { world, server } = await startWorld();
      await use(world);
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((resolve) => server.once('exit', resolve));
      }
    },
    { scope: 'worker', auto: true, timeout: START_TIMEOUT_MS + 30_000 },
  ],
  baseURL: async ({ world }, use) => {
    await use(world.baseUrl);
  },
  page: async ({ page }, use) => {
    const stopRecording = recordResponses(page.context());
    await use(page);
    await stopRecording();
  },
});

export { expect } from '@playwright/test';
