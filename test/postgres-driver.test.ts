/**
 * The Postgres driver (postgres.js, patched in patches/) recovers when its connections close together while a
 * query is being written, as they do when Postgres restarts, fails over, or a pooler drops its clients.
 *
 * Unpatched, postgres.js 3.4.9 (and 3.4.10) flush small writes on the next turn of the event loop and, when a
 * connection closes, cancel that flush but keep its handle and the bytes: the connection then never flushes
 * again, so once it reconnects its startup message is never sent and every query given to it fails with
 * CONNECT_TIMEOUT until the process restarts (porsager/postgres#1154 and #1208, LanternOps/breeze#3225 describe
 * the same mechanism). The faults-postgres reliability test met it under load, after terminating every backend.
 */
import net from 'node:net';
import postgres from 'postgres';
import { afterEach, expect, it } from 'vitest';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let sql: postgres.Sql | undefined;
afterEach(async () => {
  await sql?.end({ timeout: 1 });
  sql = undefined;
});

it('connections that close together, one of them while a query is written to it, reconnect and answer', async () => {
  const url = new URL(ADMIN_URL);
  const sockets: net.Socket[] = [];
  // `socket` is a documented option (the README's "Custom socket") that the type definitions leave out.
  const options = {
    max: 2,
    connect_timeout: 3,
    onnotice: () => {},
    // The driver's own sockets, so the test can close them at a chosen moment.
    socket: () => {
      const socket = net.connect({ host: url.hostname, port: Number(url.port || 5432) });
      sockets.push(socket);
      return socket;
    },
  };
  const client = postgres(ADMIN_URL, options);
  sql = client;
  // Both connections open; the first stays busy, the second idle.
  await Promise.all([client`select pg_sleep(0.05)`, client`select pg_sleep(0.05)`]);
  expect(sockets).toHaveLength(2);
  const written = sockets.map((socket) => socket.bytesWritten);
  const busy = client`select pg_sleep(5)`.execute();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const busySocket = sockets.find((socket, i) => socket.bytesWritten > (written[i] ?? 0));
  const idleSocket = sockets.find((socket) => socket !== busySocket);
  expect(busySocket && idleSocket).toBeTruthy();

  // Both close in the same turn of the event loop, the idle one first; the busy one's caller retries at once,
  // while the driver is putting its connections back together. The retry may fail with the closed connection or
  // be answered after a reconnect; either is fine.
  const retried = busy.then(
    () => 'answered',
    () =>
      client`select 2 as n`.then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      ),
  );
  idleSocket?.destroy();
  busySocket?.destroy();
  expect(['CONNECTION_CLOSED', 'answered']).toContain(await retried);

  // Both connections reconnect and answer; unpatched, one of them times out connecting.
  const answers = await Promise.allSettled([client`select 3 as n`, client`select 4 as n`]);
  expect(answers.map((answer) => (answer.status === 'fulfilled' ? answer.value[0]?.n : answer.reason.code))).toEqual([
    3, 4,
  ]);
});
