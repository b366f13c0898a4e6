import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openPostgresDatabase } from '@/lib/db/postgres';
import { noDelaySocketOption } from '@/lib/db/postgres-socket';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';

let database: TestDatabase | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await database?.drop();
  database = undefined;
});

describe('Postgres sockets', () => {
  it('connects with Nagle off, so the end of a COPY is not held back waiting for an ACK', async () => {
    database = await createTestDatabase('mg_socket');
    const connect = vi.spyOn(net, 'connect');
    const opened = await openPostgresDatabase(database.url, { migrate: false });
    try {
      const rows = await opened.db.execute(sql`select 1 as one`);
      expect(rows).toMatchObject([{ one: 1 }]);
    } finally {
      await opened.close();
    }
    const { hostname, port } = new URL(database.url);
    expect(connect).toHaveBeenCalledWith({ host: hostname, port: Number(port), noDelay: true });
  });

  it('leaves a multi-host URL to postgres.js, which fails over between the hosts itself', () => {
    expect(noDelaySocketOption('postgres://u:p@db1:5432,db2:5432/app')).toEqual({});
    expect(noDelaySocketOption('postgres://u:p@db1:5432/app')).toHaveProperty('socket');
  });
});
