import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { applyMigrations, MIGRATIONS_FOLDER, readMigrations } from '@/lib/db/migrations';
import { createTestDatabase, type TestDatabase } from '@/test/support/database';

const dropLater: TestDatabase[] = [];
afterAll(async () => Promise.all(dropLater.map((d) => d.drop())));

/** A migrations folder of its own: drizzle-kit's layout (journal + one .sql per entry). */
function migrationsFolder(files: [tag: string, sql: string][]): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'mg-migrations-'));
  mkdirSync(path.join(folder, 'meta'));
  files.forEach(([tag, sql]) => writeFileSync(path.join(folder, `${tag}.sql`), sql));
  const entries = files.map(([tag], idx) => ({
    idx,
    version: '7',
    when: 1_700_000_000_000 + idx,
    tag,
    breakpoints: true,
  }));
  writeFileSync(
    path.join(folder, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
  );
  return folder;
}

const TABLE: [string, string] = [
  '0000_messages',
  'CREATE TABLE "messages" ("id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY, "subject" text);',
];
const INDEX: [string, string] = [
  '0001_messages_subject',
  'CREATE UNIQUE INDEX CONCURRENTLY "messages_subject" ON "messages" USING btree ("subject");',
];

function session(url: string, name: string) {
  return postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: name } });
}

describe('index migrations built CONCURRENTLY', () => {
  it('let the sync keep inserting into messages while the index waits for an open write to finish', async () => {
    const target = await createTestDatabase('mg_cic');
    dropLater.push(target);
    const migrator = session(target.url, 'migrate');
    const sync = session(target.url, 'sync');
    const longWrite = session(target.url, 'long-write');
    try {
      await applyMigrations(drizzle({ client: migrator }) as unknown as Db, migrationsFolder([TABLE]));
      // A batch transaction of the sync that is still open when the migration starts.
      const reserved = await longWrite.reserve();
      await reserved`begin`;
      await reserved`insert into messages (subject) values ('open batch')`;

      const migrating = applyMigrations(
        drizzle({ client: migrator }) as unknown as Db,
        migrationsFolder([TABLE, INDEX]),
      );
      await expect
        .poll(async () => {
          const [row] = await sync<{ waiting: number }[]>`
            select count(*)::int as waiting from pg_stat_activity
            where application_name = 'migrate' and query ilike 'create unique index concurrently%' and wait_event_type = 'Lock'`;
          return row?.waiting;
        })
        .toBe(1);
      // A plain CREATE INDEX would hold a SHARE lock here and this insert would wait for the open batch too.
      await sync`set statement_timeout = '5s'`;
      await sync`insert into messages (subject) values ('next batch')`;

      await reserved`commit`;
      reserved.release();
      expect(await migrating).toEqual(['0001_messages_subject']);
      const [index] = await sync<{ valid: boolean }[]>`
        select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'messages_subject'`;
      expect(index?.valid).toBe(true);
    } finally {
      await Promise.all([migrator.end(), sync.end(), longWrite.end()]);
    }
  });

  it('rebuild an index an interrupted run left invalid, and record the migration once', async () => {
    const target = await createTestDatabase('mg_cic');
    dropLater.push(target);
    const client = session(target.url, 'migrate');
    const db = drizzle({ client }) as unknown as Db;
    try {
      await applyMigrations(db, migrationsFolder([TABLE]));
      await client`insert into messages (subject) values ('same'), ('same')`;
      // The unique build fails on the duplicates and leaves an invalid index behind, as a killed build does.
      await expect(applyMigrations(db, migrationsFolder([TABLE, INDEX]))).rejects.toThrow();
      const invalid = await client`select 1 from pg_index i join pg_class c on c.oid = i.indexrelid
        where c.relname = 'messages_subject' and not i.indisvalid`;
      expect(invalid).toHaveLength(1);

      await client`delete from messages where id = (select max(id) from messages)`;
      expect(await applyMigrations(db, migrationsFolder([TABLE, INDEX]))).toEqual(['0001_messages_subject']);
      const [state] = await client<{ valid: boolean; recorded: number }[]>`
        select (select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'messages_subject') as valid,
               (select count(*)::int from drizzle.__drizzle_migrations) as recorded`;
      expect(state).toEqual({ valid: true, recorded: 2 });
    } finally {
      await client.end();
    }
  });

  it('refuse a migration that mixes CONCURRENTLY with statements a transaction must protect', () => {
    const mixed = migrationsFolder([
      TABLE,
      ['0001_mixed', `ALTER TABLE "messages" ADD COLUMN "x" text;--> statement-breakpoint\n${INDEX[1]}`],
    ]);
    expect(() => readMigrations(mixed)).toThrow(/0001_mixed mixes CONCURRENTLY index statements with others/);
  });

  it('are how every index on the tables the sync writes is built from now on', () => {
    // Migrations up to 0007 were shipped before this rule; a new index on these tables must not block the sync.
    const rule = readMigrations(MIGRATIONS_FOLDER).filter((m) => m.when > 1795623451246);
    const blocking = rule.flatMap((m) =>
      m.statements
        .filter((s) =>
          /create\s+(unique\s+)?index\s+(?!concurrently)[^;]*\bon\s+"?(messages|message_sources|attachments)"?\s/i.test(
            s,
          ),
        )
        .map(
          () =>
            `${m.tag}: add .concurrently() to the index in lib/db/schema.ts and generate it as a migration of its own`,
        ),
    );
    expect(blocking).toEqual([]);
  });

  // PGlite's start is CPU-bound (about 5 s here alone, more with the suite around it).
  it('apply on the embedded database too, outside a transaction', { timeout: 120_000 }, async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle: pglite } = await import('drizzle-orm/pglite');
    const client = await PGlite.create();
    try {
      const db = pglite({ client }) as unknown as Db;
      expect(await applyMigrations(db, migrationsFolder([TABLE, INDEX]))).toEqual([
        '0000_messages',
        '0001_messages_subject',
      ]);
      const { rows } = await client.query<{ valid: boolean }>(
        `select i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'messages_subject'`,
      );
      expect(rows).toEqual([{ valid: true }]);
    } finally {
      await client.close();
    }
  });
});
