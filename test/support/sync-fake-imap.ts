/**
 * A loopback IMAP server that greets like Exchange and answers every AUTHENTICATE with a fixed tagged reply:
 * how a test sees Exchange's throttling ("Suggested Backoff Time") without Dovecot being able to say it.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface FakeImap {
  port: number;
  logins: number;
  close(): Promise<void>;
}

const CAPABILITY = 'IMAP4rev1 AUTH=XOAUTH2 SASL-IR UIDPLUS';

export async function startFakeImap(authenticateReply: string): Promise<FakeImap> {
  const sockets = new Set<Socket>();
  const fake: FakeImap = {
    port: 0,
    logins: 0,
    close: () =>
      new Promise((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.write(`* OK [CAPABILITY ${CAPABILITY}] The Microsoft Exchange IMAP4 service is ready.\r\n`);
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const [tag = '*', command = ''] = line.split(' ');
        switch (command.toUpperCase()) {
          case 'CAPABILITY':
            socket.write(`* CAPABILITY ${CAPABILITY}\r\n${tag} OK CAPABILITY completed.\r\n`);
            break;
          case 'ID':
            socket.write(`* ID NIL\r\n${tag} OK ID completed.\r\n`);
            break;
          case 'AUTHENTICATE':
            fake.logins += 1;
            socket.write(`${tag} ${authenticateReply}\r\n`);
            break;
          case 'LOGOUT':
            socket.end(`* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n${tag} OK LOGOUT completed.\r\n`);
            break;
          default:
            socket.write(`${tag} BAD Command Error. 10\r\n`);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.port = (server.address() as AddressInfo).port;
  return fake;
}
