import { createServer } from 'node:net';

/**
 * A port nothing listens on now, for a spec that starts a server of its own (the demo, the embedded console, the
 * container's contents): two workers running such specs at once never collide, nor hit a world's port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
