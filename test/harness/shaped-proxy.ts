/**
 * A TCP proxy that puts the bench's link model (link-shaper.ts) in front of any loopback port: each connection's
 * bytes are delayed and rate-capped in both directions, as the Exchange IMAP personality does for its own
 * connections. The bench's shaped Graph row puts it in front of the Graph stand-in's HTTP port; the stand-in's
 * @odata links name the host the client called, so every page goes through it.
 */
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { endTogether, isShaped, ShapedWriter, type LinkShape } from './link-shaper';
import { LOOPBACK } from './loopback';

export interface ShapedProxy {
  port: number;
  url: string;
  /** Connections accepted so far (each pays its own handshake round trip on a real link). */
  stats: { connections: number };
  close(): Promise<void>;
}

export async function startShapedProxy(options: { targetPort: number; link: LinkShape }): Promise<ShapedProxy> {
  const sockets = new Set<Socket>();
  const stats = { connections: 0 };
  const server = createServer((client) => {
    stats.connections += 1;
    client.setNoDelay(true);
    const upstream = connect({ host: LOOPBACK, port: options.targetPort });
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const shaped = isShaped(options.link);
    const toClient = shaped ? new ShapedWriter(options.link, (chunk) => client.write(chunk)) : undefined;
    const toServer = shaped ? new ShapedWriter(options.link, (chunk) => upstream.write(chunk)) : undefined;
    upstream.on('data', (chunk: Buffer) => (toClient ? toClient.send(chunk) : client.write(chunk)));
    client.on('data', (chunk: Buffer) => (toServer ? toServer.send(chunk) : upstream.write(chunk)));
    const cut = (): void => {
      toClient?.close();
      toServer?.close();
      client.destroy();
      upstream.destroy();
    };
    // Bytes still on the link when one side closes arrive before the other side is closed.
    endTogether(client, upstream, { sockets, cut, pending: (closed) => (closed === upstream ? toClient : toServer) });
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${LOOPBACK}:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
