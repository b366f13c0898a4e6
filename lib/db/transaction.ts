import 'server-only';
import type { Db, Tx } from '@/lib/db/types';

// Codes of a transaction's connection dying under it: postgres.js's own, a socket's, and Postgres shutting the
// backend down (admin_shutdown, crash_shutdown, cannot_connect_now).
const CONNECTION_LOST = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'ECONNRESET',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);

export function isConnectionLoss(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_LOST.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `db.transaction`, except when the work failed because the connection died. postgres.js 3.4.9 then sends
 * ROLLBACK on that connection object: onto a null socket, an uncatchable TypeError that crashes the process
 * (porsager/postgres#1208), or onto the fresh session the pool has meanwhile opened on it for someone else. It
 * already rejects the transaction itself when its connection closes, and the server has rolled it back, so the
 * work is left unsettled instead: nothing more is sent on that connection.
 */
export function transaction<T>(
  db: Db,
  work: (tx: Tx) => Promise<T>,
  config?: Parameters<Db['transaction']>[1],
): Promise<T> {
  return db.transaction(async (tx) => {
    try {
      return await work(tx);
    } catch (error) {
      if (isConnectionLoss(error)) return new Promise<never>(() => {});
      throw error;
    }
  }, config);
}
