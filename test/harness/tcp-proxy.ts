/**
 * A tiny TCP proxy in front of a loopback server that can cut connections after N bytes from the server: how a
 * test produces "the connection dropped mid-FETCH" deterministically. It can also end the session the way a
 * server does, with an untagged `* BYE` between two IMAP responses.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { LOOPBACK } from './loopback';

export interface TcpProxyOptions {
  targetPort: number;
  /** Server-to-client bytes after which each connection is cut. */
  dropAfterBytes?: number;
  /** After this many server-to-client bytes, at the next IMAP response boundary, send `* BYE <byeText>` and close. */
  byeAfterBytes?: number;
  byeText?: string;
}

export interface TcpProxy {
  port: number;
  /** Server-to-client bytes after which each connection is cut; undefined passes everything. */
  dropAfterBytes: number | undefined;
  /** Server-to-client bytes after which each connection ends with a BYE; undefined passes everything. */
  byeAfterBytes: number | undefined;
  /** Connections cut so far because of dropAfterBytes. */
  dropped: number;
  /** Connections ended so far with an injected BYE. */
  byes: number;
  /** Cuts every open connection now. */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const proxy: TcpProxy = {
    port: 0,
    dropAfterBytes: options.dropAfterBytes,
    byeAfterBytes: options.byeAfterBytes,
    dropped: 0,
    byes: 0,
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
    const boundaries = new ResponseBoundaries();
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
      const bye = proxy.byeAfterBytes;
      const at = bye === undefined ? -1 : boundaries.firstAtOrAfter(chunk, Math.max(0, bye - forwarded));
      if (at >= 0) {
        upstream.removeAllListeners('data');
        upstream.destroy();
        proxy.byes += 1;
        client.write(chunk.subarray(0, at));
        client.end(`* BYE ${options.byeText ?? 'Connection closed.'}\r\n`);
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

/**
 * Follows the server's side of an IMAP stream (lines, and `{n}` literals whose bytes may hold anything) to find
 * where one response ends and the next may begin: the only place a server can put a BYE.
 */
class ResponseBoundaries {
  private literalLeft = 0;
  private lineTail = '';

  /** Offset just after the first response end at or after `from` in this chunk, or -1; consumes the chunk. */
  firstAtOrAfter(chunk: Buffer, from: number): number {
    let found = -1;
    let i = 0;
    while (i < chunk.length) {
      if (this.literalLeft > 0) {
        const skip = Math.min(this.literalLeft, chunk.length - i);
        this.literalLeft -= skip;
        i += skip;
        continue;
      }
      const newline = chunk.indexOf(0x0a, i);
      if (newline < 0) {
        this.lineTail = (this.lineTail + chunk.toString('latin1', i)).slice(-32);
        break;
      }
      const line = (this.lineTail + chunk.toString('latin1', Math.max(i, newline - 32), newline + 1)).slice(-34);
      this.lineTail = '';
      i = newline + 1;
      const literal = /\{(\d+)\+?\}\r\n$/.exec(line);
      if (literal) this.literalLeft = Number(literal[1]);
      else if (found < 0 && i >= from) found = i;
    }
    return found;
  }
}
