import net from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openPostgresDatabase } from '@/lib/db/postgres';
import { noDelaySocketOption } from '@/lib/db/postgres-socket';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';
import { startTlsPostgresFront, throwAwayCa, type TlsPostgresFront } from '@/test/support/tls-postgres';

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

describe('Postgres over TLS', () => {
  const ca = throwAwayCa();
  const fronts: TlsPostgresFront[] = [];
  afterAll(async () => Promise.all(fronts.map((front) => front.close())));

  async function front(certificateName: string) {
    const started = await startTlsPostgresFront(ca.issue(certificateName));
    fronts.push(started);
    return started;
  }

  /** `select 1`, or the driver's own error (drizzle wraps it in "Failed query: ..."). */
  async function selectOne(url: string): Promise<unknown> {
    const opened = await openPostgresDatabase(url, { migrate: false });
    try {
      return await opened.db.execute(sql`select 1 as one`);
    } catch (error) {
      throw (error as Error).cause ?? error;
    } finally {
      await opened.close();
    }
  }

  it('sends the host name as SNI, with Nagle still off, and verify-full checks the certificate against it', async () => {
    database = await createTestDatabase('mg_tls');
    const tlsFront = await front('localhost');
    const connect = vi.spyOn(net, 'connect');
    const url = `postgres://postgres@localhost:${tlsFront.port}/${database.name}?sslmode=verify-full&sslrootcert=${ca.caFile}`;
    await expect(selectOne(url)).resolves.toMatchObject([{ one: 1 }]);
    expect(tlsFront.serverNames).toEqual(['localhost']);
    expect(connect).toHaveBeenCalledWith({ host: 'localhost', port: tlsFront.port, noDelay: true });
  });

  it('refuses a server whose certificate names another host', async () => {
    database = await createTestDatabase('mg_tls');
    const impostor = await front('db.other.test');
    const url = `postgres://postgres@localhost:${impostor.port}/${database.name}?sslmode=verify-full&sslrootcert=${ca.caFile}`;
    await expect(selectOne(url)).rejects.toThrow(/localhost/);
  });

  it("takes Neon's channel_binding=require as verify-full instead of sending it to the server as a setting", async () => {
    database = await createTestDatabase('mg_tls');
    const tlsFront = await front('localhost');
    const base = `postgres://postgres@localhost:${tlsFront.port}/${database.name}`;
    // Verified against the machine's CAs, which do not know this test's CA: refused, never "unrecognized
    // configuration parameter channel_binding".
    await expect(selectOne(`${base}?sslmode=require&channel_binding=require`)).rejects.toThrow(/certificate/i);
    await expect(
      selectOne(`${base}?sslmode=require&channel_binding=require&sslrootcert=${ca.caFile}`),
    ).resolves.toMatchObject([{ one: 1 }]);
  });
});
