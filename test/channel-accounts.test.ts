import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';
import { configureTestEnvironment, createTestDatabase, type TestDatabase } from '@/test/support/database';

let database: TestDatabase;
let db: Db;
let q: typeof import('@/lib/db/queries/mail-accounts');
let closeDatabase: () => Promise<void>;
const ids: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase('mg_channel_accounts');
  configureTestEnvironment(database.url);
  const dbModule = await import('@/lib/db');
  db = await dbModule.getDb();
  closeDatabase = dbModule.closeDatabase;
  q = await import('@/lib/db/queries/mail-accounts');
  const schema = await import('@/lib/db/schema');
  // 120 shown accounts (mbox000..mbox119), one removed; account i holds i % 7 messages.
  const addresses = Array.from({ length: 121 }, (_, i) => `mbox${String(i).padStart(3, '0')}@contoso.test`);
  const rows = await db
    .insert(schema.mailAccounts)
    .values(
      addresses.map((address, i) => ({
        emailAddress: address,
        homeAccountId: `home-${address}`,
        tenantId: 't',
        signInAddress: address,
        imapUser: address,
        removedAt: i === 120 ? new Date() : null,
        lastError: i === 77 ? { code: 'AADSTS7000222', message: 'expired', at: new Date().toISOString() } : null,
      })),
    )
    .returning({ id: schema.mailAccounts.id, address: schema.mailAccounts.emailAddress });
  ids.push(...rows.sort((a, b) => a.address.localeCompare(b.address)).map((row) => row.id));
  const messages = ids.flatMap((accountId, i) =>
    Array.from({ length: i % 7 }, (_, uid) => ({
      accountId,
      folder: 'INBOX',
      uidValidity: 1,
      uid: uid + 1,
      size: 10,
      internalDate: new Date(),
    })),
  );
  await db.insert(schema.messages).values(messages);
});
afterAll(async () => {
  await closeDatabase?.();
  await database?.drop();
});

describe('the channel page’s accounts', () => {
  it('come a page at a time in address order, each with its own message count, and with the total', async () => {
    const first = await q.listAccounts(db, { page: 1 });
    expect(first.total).toBe(120);
    expect(first.accounts).toHaveLength(q.ACCOUNTS_PAGE_SIZE);
    expect(first.accounts.map((a) => a.id)).toEqual(ids.slice(0, 50));
    expect(first.accounts.map((a) => a.messageCount)).toEqual(ids.slice(0, 50).map((_, i) => i % 7));
    expect(first.accounts[0]).not.toHaveProperty('tokenCacheSealed');

    const last = await q.listAccounts(db, { page: 3 });
    expect(last.accounts.map((a) => a.emailAddress)).toEqual(
      Array.from({ length: 20 }, (_, i) => `mbox${100 + i}@contoso.test`),
    );
    expect(last.accounts.map((a) => a.messageCount)).toEqual(Array.from({ length: 20 }, (_, i) => (100 + i) % 7));
    expect((await q.listAccounts(db, { page: 4 })).accounts).toEqual([]);
  });

  it('report every shown account’s error, whatever the page, for the app-level problem', async () => {
    const errors = await q.listAccountErrors(db);
    expect(errors.map((e) => e.lastError?.code)).toEqual(['AADSTS7000222']);
  });
});
