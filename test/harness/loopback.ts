/**
 * The harness must never reach past this machine: every address it hands out or dials is checked here.
 */
import { createServer, type AddressInfo } from 'node:net';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export const LOOPBACK = '127.0.0.1';

export function assertLoopbackHost(host: string): void {
  if (!LOOPBACK_HOSTS.has(host.toLowerCase())) throw new Error(`Harness refuses non-loopback host ${host}`);
}

export function assertLoopbackUrl(url: string): void {
  assertLoopbackHost(new URL(url).hostname);
}

/** A port free right now on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
