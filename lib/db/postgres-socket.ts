import 'server-only';
import net from 'node:net';

interface SocketOptions {
  host: string[];
  port: number[];
  path?: string | false;
}

/**
 * postgres.js opens its sockets with Nagle's algorithm on. After a large write, the small message that ends it
 * (CopyDone, Sync) then waits for the server's ACK, which the server delays by up to 40 ms: measured here, every
 * COPY of a message batch stalled ~45 ms, a third of the sync's write time for 4 MB batches. With Nagle off
 * it is sent at once. The socket connects the way postgres.js would; postgres.js writes its startup (or TLS
 * request) right away and Node queues it until connected, and its connect timeout and errors apply as before.
 *
 * postgres.js takes the TLS server name from `socket.host`, which it sets only on sockets it opens itself
 * (connection.js: `servername: net.isIP(socket.host) ? undefined : socket.host`). Without it the handshake
 * carries no SNI, which Neon needs to route the connection, and verify-full has no name to check.
 */
export function openNoDelaySocket(options: SocketOptions): net.Socket {
  if (options.path) return net.connect({ path: options.path });
  const host = options.host[0];
  const port = options.port[0] ?? 5432;
  return Object.assign(net.connect({ host, port, noDelay: true }), { host, port });
}

/** The `socket` option for a postgres.js client, or nothing for a multi-host URL (postgres.js fails over itself). */
export function noDelaySocketOption(url: string): { socket?: (options: SocketOptions) => net.Socket } {
  const hosts = /^[a-z]+:\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(url)?.[1] ?? '';
  return hosts.includes(',') ? {} : { socket: openNoDelaySocket };
}
