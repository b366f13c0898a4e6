/**
 * A tiny TCP proxy in front of a loopback server that can cut connections after N bytes from the server: how a
 * test produces "the connection dropped mid-FETCH" deterministically.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { LOOPBACK } from './loopback';

export interface TcpProxy {
  port: number;
  /** Server-to-client bytes after which each connection is cut; undefined passes everything. */
  dropAfterBytes: number | undefined;
  /** Connections cut so far because of dropAfterBytes. */
  dropped: number;
  /** Cuts every open connection now. */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(options: { targetPort: number; dropAfterBytes?: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const proxy: TcpProxy = {
    port: 0,
    dropAfterBytes: options.dropAfterBytes,
    dropped: 0,
    dropAll: () => sockets.forEach((s) => s.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        proxy.dropAll();
        server.close(() => resolve());
      }),
  };
  const server = createServer((client) => {
    const upstream = connect({ host: LOOPBACK, port: options.targetPort });
    sockets.add(client).add(upstream);
    let forwarded = 0;
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('data', (chunk: Buffer) => {
      const limit = proxy.dropAfterBytes;
      if (limit !== undefined && forwarded + chunk.length >= limit) {
        client.write(chunk.subarray(0, Math.max(0, limit - forwarded)), () => cut());
        proxy.dropped += 1;
        upstream.removeAllListeners('data');
        return;
      }
      forwarded += chunk.length;
      client.write(chunk);
    });
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', cut);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  proxy.port = (server.address() as AddressInfo).port;
  return proxy;
}
