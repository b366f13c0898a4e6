import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface ThrowAwayCa {
  dir: string;
  caFile: string;
  /** A key and certificate for `name`, signed by this CA. */
  issue(name: string): { key: string; cert: string };
}

/** A certificate authority made for one test with openssl, in a temporary folder; nothing leaves the machine. */
export function throwAwayCa(): ThrowAwayCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'mg-tls-'));
  const caFile = path.join(dir, 'ca.pem');
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    caFile,
    '-days',
    '1',
    '-subj',
    '/CN=Mailgate test CA',
  );
  return {
    dir,
    caFile,
    issue(name) {
      writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=DNS:${name}\n`);
      ssl(
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      );
      ssl(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        caFile,
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        '1',
        '-extfile',
        `${name}.ext`,
      );
      return {
        key: readFileSync(path.join(dir, `${name}.key`), 'utf8'),
        cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8'),
      };
    },
  };
}

export interface TlsPostgresFront {
  port: number;
  /** The server name each handshake carried (null: none, and the handshake was refused). */
  serverNames: (string | null)[];
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;

/**
 * A TLS front for the machine's Postgres, the way Neon's proxy is one: it answers the SSLRequest, refuses any
 * handshake that names no server (Neon routes by SNI), then relays the decrypted protocol to 127.0.0.1:5432.
 */
export async function startTlsPostgresFront(identity: { key: string; cert: string }): Promise<TlsPostgresFront> {
  const serverNames: (string | null)[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.once('data', (first) => {
      if (first.length !== 8 || first.readInt32BE(4) !== SSL_REQUEST) return raw.destroy();
      raw.write('S');
      const secure = new tls.TLSSocket(raw, { isServer: true, key: identity.key, cert: identity.cert });
      secure.on('error', () => raw.destroy());
      secure.once('secure', () => {
        const name = typeof secure.servername === 'string' ? secure.servername : null;
        serverNames.push(name);
        if (!name) return secure.destroy();
        const upstream = net.connect({ host: '127.0.0.1', port: 5432 });
        sockets.add(upstream);
        upstream.on('close', () => (sockets.delete(upstream), secure.destroy()));
        upstream.on('error', () => secure.destroy());
        secure.on('close', () => upstream.destroy());
        secure.pipe(upstream).pipe(secure);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    serverNames,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
