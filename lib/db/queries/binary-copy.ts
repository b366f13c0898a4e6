import 'server-only';
import type { Writable } from 'node:stream';
import type { Tx } from '@/lib/db/types';

/**
 * `COPY ... FROM STDIN (FORMAT binary)` for rows heavy with bytea. postgres.js sends bytea parameters as hex
 * text (twice the bytes, parsed again by the server); binary COPY sends the bytes as they are and was 3–5×
 * faster for message sources here. Only postgres.js offers a COPY stream: on PGlite the caller inserts instead.
 */
export type CopyType = 'int8' | 'int4' | 'bool' | 'text' | 'bytea';
export type CopyValue = number | boolean | string | Buffer | null;

interface CopyClient {
  unsafe(query: string): { writable(): Promise<Writable> };
}

const COPY_SLICE_BYTES = 1024 * 1024;
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const NULL_FIELD = (() => {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(-1);
  return buffer;
})();

/** The transaction's postgres.js client when it can COPY, else undefined (PGlite). */
function copyClient(tx: Tx): CopyClient | undefined {
  const client = (tx as unknown as { session?: { client?: Record<string, unknown> } }).session?.client;
  // A postgres.js transaction: tagged-template client with `unsafe` and `savepoint`.
  if (client && typeof client.unsafe === 'function' && typeof client.savepoint === 'function')
    return client as unknown as CopyClient;
  return undefined;
}

export function canCopy(tx: Tx): boolean {
  return copyClient(tx) !== undefined;
}

/** Streams rows into `table` (identifiers are trusted constants from the caller). */
export async function copyRows(
  tx: Tx,
  table: string,
  columns: { name: string; type: CopyType }[],
  rows: CopyValue[][],
): Promise<void> {
  if (rows.length === 0) return;
  const client = copyClient(tx);
  if (!client) throw new Error('COPY needs the postgres.js driver');
  const stream = await client
    .unsafe(`copy ${table} (${columns.map((c) => c.name).join(', ')}) from stdin (format binary)`)
    .writable();
  // A connection lost mid-COPY destroys the stream: no 'drain' ever comes, so every wait also ends on `done`.
  const done = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
    stream.once('close', () =>
      reject(Object.assign(new Error('The COPY stream closed before it finished.'), { code: 'CONNECTION_CLOSED' })),
    );
  });
  done.catch(() => {}); // awaited by every write and at the end
  const write = async (chunk: Buffer) => {
    if (stream.destroyed) await done;
    if (!stream.write(chunk)) await Promise.race([new Promise((resolve) => stream.once('drain', resolve)), done]);
  };
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header);
  await write(header);
  for (const row of rows) {
    // Small fields are joined; a bytea value is written as its own chunks, never joined.
    let small: Buffer[] = [int16(columns.length)];
    for (const [i, column] of columns.entries()) {
      const [length, data] = encodeField(column.type, row[i] ?? null);
      small.push(length);
      if (data && column.type === 'bytea') {
        await write(Buffer.concat(small));
        // postgres.js copies each write into one CopyData message: slices keep that copy small for a 50 MB source.
        for (let at = 0; at < data.length; at += COPY_SLICE_BYTES)
          await write(data.subarray(at, at + COPY_SLICE_BYTES));
        small = [];
      } else if (data) {
        small.push(data);
      }
    }
    if (small.length > 0) await write(Buffer.concat(small));
  }
  await write(int16(-1));
  stream.end();
  await done;
}

function encodeField(type: CopyType, value: CopyValue): [Buffer, Buffer?] {
  if (value === null) return [NULL_FIELD];
  let data: Buffer;
  switch (type) {
    case 'int8':
      data = Buffer.alloc(8);
      data.writeBigInt64BE(BigInt(value as number));
      break;
    case 'int4':
      data = Buffer.alloc(4);
      data.writeInt32BE(value as number);
      break;
    case 'bool':
      data = Buffer.from([value ? 1 : 0]);
      break;
    case 'text':
      data = Buffer.from(value as string, 'utf8');
      break;
    case 'bytea':
      data = value as Buffer;
      break;
  }
  const length = Buffer.alloc(4);
  length.writeInt32BE(data.length);
  return [length, data];
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
}
