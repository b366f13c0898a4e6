import http from 'node:http';
import https from 'node:https';

/**
 * Next.js gives route handlers and server actions no socket address: `request.ip` is gone since Next 15, and the
 * server only fills `X-Forwarded-For` from the socket when the client did not send one (`??=` in
 * next/dist/server/base-server.js), so a direct client can put any address there. This stamps every request
 * with the connection's own address under a header of our own, overwriting whatever the client sent, before
 * Next sees it. Installed once per process at server start (instrumentation.ts); on a platform where this
 * process does not own the HTTP server (Vercel) it has no effect and the platform's header is used instead.
 */
export const PEER_ADDRESS_HEADER = 'x-mailgate-peer-address';

const state = globalThis as unknown as { __mailgatePeerStamp?: boolean };

export function peerAddressStampInstalled(): boolean {
  return state.__mailgatePeerStamp === true;
}

export function installPeerAddressStamp(): void {
  if (state.__mailgatePeerStamp) return;
  state.__mailgatePeerStamp = true;
  for (const server of [http.Server, https.Server]) {
    const prototype = server.prototype as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
    const emit = prototype.emit;
    prototype.emit = function stampPeerAddress(this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === 'request') stamp(args[0] as http.IncomingMessage);
      return emit.call(this, event, ...args);
    };
  }
}

function stamp(request: http.IncomingMessage): void {
  const address = request.socket?.remoteAddress;
  if (address) request.headers[PEER_ADDRESS_HEADER] = address;
  else delete request.headers[PEER_ADDRESS_HEADER];
}
