/**
 * The product's built server for the bench's parts that need one (console pages, the Graph webhook): `next start`
 * on a free loopback port with the product's environment, after `next build` when .next is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '@/test/harness/loopback';
import { signalTree } from '@/test/harness/process-tree';
import { run } from './processes';

export interface NextServer {
  url: string;
  /** Whether this call ran `next build` first. */
  built: boolean;
  /** The server's last output, for an error message. */
  output(): string;
  stop(): Promise<void>;
}

/** `env` is given the server's URL (the Graph webhook's address depends on it). */
export async function startNextServer(
  env: (url: string) => NodeJS.ProcessEnv,
  log: (line: string) => void,
  label: string,
): Promise<NextServer> {
  let built = false;
  if (!existsSync('.next/BUILD_ID')) {
    log(`${label}: .next missing, running next build`);
    await run('npx', ['next', 'build'], { timeoutMs: 15 * 60_000 });
    built = true;
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Idle keep-alive sockets outlive any pause: a client reusing one as Node closes it (5 s by default) would see
  // ECONNRESET, which is not what the bench measures.
  const server: ChildProcess = spawn(
    'npx',
    ['next', 'start', '-H', '127.0.0.1', '-p', String(port), '--keepAliveTimeout', '600000'],
    // A production server refuses to start without its public URL: here, where it listens.
    { env: { ...env(url), APP_BASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'], detached: false },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  server.stdout?.on('data', keep);
  server.stderr?.on('data', keep);
  const stop = async () => {
    if (server.pid && server.exitCode === null) signalTree(server.pid, 'SIGTERM');
  };
  try {
    await waitForHttp(`${url}/sign-in`, 60_000, () => server.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${label}: ${(error as Error).message}: ${output.slice(-2000)}`);
  }
  return { url, built, output: () => output, stop };
}

async function waitForHttp(url: string, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited()) {
    try {
      await fetch(url, { redirect: 'manual' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`next start at ${url} did not answer within ${timeoutMs} ms${exited() ? ' (it exited)' : ''}`);
}
