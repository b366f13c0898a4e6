/**
 * A loopback port the product uses as its Microsoft login URL, forwarding to the emulator. `refuse()` stops
 * listening (connections are refused, as when the sign-in host is unreachable) while Dovecot keeps validating
 * tokens against the emulator directly; `open()` listens on the same port again.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { LOOPBACK } from '@/test/harness/loopback';

export interface TokenGate {
  url: string;
  /** Connections accepted so far (each one msal request or more, with keep-alive). */
  connections: number;
  refuse(): Promise<void>;
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function startTokenGate(targetPort: number): Promise<TokenGate> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const gate: TokenGate = {
    url: '',
    connections: 0,
    async open() {
      if (server) return;
      const next = createServer((client) => {
        gate.connections += 1;
        const upstream = connect({ host: LOOPBACK, port: targetPort });
        const cut = () => {
          client.destroy();
          upstream.destroy();
        };
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', cut);
          socket.on('close', () => {
            sockets.delete(socket);
            cut();
          });
        }
        client.pipe(upstream);
        upstream.pipe(client);
      });
      await new Promise<void>((resolve, reject) => {
        next.once('error', reject);
        next.listen(port, LOOPBACK, () => resolve());
      });
      server = next;
      port = (next.address() as AddressInfo).port;
      gate.url = `http://${LOOPBACK}:${port}`;
    },
    async refuse() {
      const current = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
    },
    close: () => gate.refuse(),
  };
  await gate.open();
  return gate;
}
