import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getTableColumns, getTableName, isTable, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '@/lib/db/embedded';
import { MIGRATIONS_FOLDER, migrationStatus } from '@/lib/db/migrations';
import { openPostgresDatabase } from '@/lib/db/postgres';
import * as schema from '@/lib/db/schema';
import { countAdmins } from '@/lib/db/queries/admins';
import { cloudEndpoints } from '@/lib/microsoft/clouds';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';

const tables = Object.values(schema).filter((value) => isTable(value));
const dropLater: TestDatabase[] = [];
afterAll(async () => Promise.all(dropLater.map((d) => d.drop())));

describe('migrations', () => {
  it('apply on PostgreSQL, twice without harm, and leave every table of the schema', async () => {
    const target = await createTestDatabase();
    dropLater.push(target);
    const first = await openPostgresDatabase(target.url);
    await first.close();
    const { db, close } = await openPostgresDatabase(target.url);
    try {
      expect(await migrationStatus(db)).toBe('current');
      expect(await countAdmins(db)).toBe(0);
      for (const table of tables) {
        const columns = Object.values(getTableColumns(table)).map((c) => c.name);
        await expect(db.select().from(table).limit(0), getTableName(table)).resolves.toEqual([]);
        expect(columns.length).toBeGreaterThan(0);
      }
      // Sources stored as they are; parsed text with lz4, which this Postgres has (pglz cost ~4× the time).
      const storage = await db.execute<{ column: string; storage: string; compression: string }>(sql`
        select attname as column, attstorage as storage, attcompression as compression from pg_attribute
        where (attrelid = 'message_sources'::regclass and attname = 'source') or (attrelid = 'messages'::regclass and attname in ('text', 'html'))
        order by attname`);
      expect(storage).toMatchObject([
        { column: 'html', storage: 'x', compression: 'l' },
        { column: 'source', storage: 'e', compression: '' },
        { column: 'text', storage: 'x', compression: 'l' },
      ]);
    } finally {
      await close();
    }
  });

  it('apply on the embedded database and survive a restart', async () => {
    const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'mg-pglite-')), 'nested', 'data');
    const first = await openEmbeddedDatabase(dataDir);
    expect(await migrationStatus(first.db)).toBe('current');
    await first.db.insert(schema.admins).values({ email: 'a@example.com', passwordHash: 'x' });
    await first.close();
    const second = await openEmbeddedDatabase(dataDir);
    try {
      expect(await countAdmins(second.db)).toBe(1);
      for (const table of tables) await expect(second.db.select().from(table).limit(0)).resolves.toEqual([]);
    } finally {
      await second.close();
    }
  }, 120_000); // PGlite applies every migration in WebAssembly: about 10 s alone, several times that on a busy machine

  it('keep an app saved as usgov on the same GCC High hosts, renamed gcc_high', async () => {
    const target = await createTestDatabase();
    dropLater.push(target);
    // The migrations as they were before the cloud split.
    const before = mkdtempSync(path.join(tmpdir(), 'mg-migrations-'));
    cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    const journalPath = path.join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number; tag: string }[] };
    const split = journal.entries.find((e) => e.tag.endsWith('clouds_gcc_high_and_dod'));
    if (!split) throw new Error('the cloud migration is missing');
    journal.entries = journal.entries.filter((e) => e.idx < split.idx);
    writeFileSync(journalPath, JSON.stringify(journal));
    const client = postgres(target.url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle({ client }), { migrationsFolder: before });
      await client`insert into microsoft365_apps (client_id, tenant, cloud, client_secret_sealed, client_secret_hint)
        values ('00000000-0000-4000-8000-000000000001', 'contoso.us', 'usgov', 'sealed', '1a2b')`;
    } finally {
      await client.end({ timeout: 5 });
    }
    const { db, close } = await openPostgresDatabase(target.url);
    try {
      const [app] = await db.select().from(schema.microsoft365Apps);
      expect(app?.cloud).toBe('gcc_high');
      // What usgov pointed at before the split.
      expect(cloudEndpoints('gcc_high')).toMatchObject({
        authorityHost: 'login.microsoftonline.us',
        imap: { host: 'outlook.office365.us' },
        smtp: { host: 'outlook.office365.us' },
        scopeResource: 'https://outlook.office365.us',
      });
    } finally {
      await close();
    }
  });
});
