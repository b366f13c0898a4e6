/**
 * Shared set-up for the sync engine's integration tests: the Microsoft 365 stand-in (emulator + Dovecot), a
 * fresh database, accounts inserted straight into mail_accounts, and SyncDeps whose tokens come from the
 * emulator (the real msal path belongs to the connect flow's tests).
 */
import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startHarness, type Harness, type HarnessOptions } from '@/test/harness/fixture';
import { createTestDatabase, configureTestEnvironment, type TestDatabase } from '@/test/support/database';
import type { Db } from '@/lib/db/types';
import type { SyncAccount, SyncDeps } from '@/lib/sync/types';

export interface SyncTestbed {
  harness: Harness;
  db: Db;
  database: TestDatabase;
  /** Registers the user at the emulator and inserts a connected account for it. */
  addAccount(address: string, values?: Partial<AccountValues>): Promise<string>;
  deps(overrides?: Partial<SyncDeps>): SyncDeps;
  tokenFor(address: string): Promise<string>;
  stop(): Promise<void>;
}

interface AccountValues {
  afterFetch: 'keep' | 'mark_seen' | 'delete';
  transport: 'imap' | 'graph';
  access: 'delegated' | 'application';
  folders: string[];
  status: 'active' | 'needs_reauth' | 'disabled' | 'error';
}

/** `pglite` runs the engine on the embedded database (in a temporary folder) instead of the machine's Postgres. */
export async function startSyncTestbed(
  options: { driver?: 'postgres' | 'pglite'; harness?: HarnessOptions } = {},
): Promise<SyncTestbed> {
  const [harness, database] = await Promise.all([startHarness(options.harness), createTestDatabase('mg_sync')]);
  const dataDir = join(harness.workDir, 'data');
  configureTestEnvironment(database.url, options.driver === 'pglite' ? { DATABASE_URL: '', DATA_DIR: dataDir } : {});
  if (options.driver === 'pglite') delete process.env.DATABASE_URL;
  const dbModule = await import('@/lib/db');
  const { mailAccounts } = await import('@/lib/db/schema');
  const db = await dbModule.getDb();
  const tokens = new Map<string, Promise<string>>();

  const tokenFor = (address: string): Promise<string> => {
    let token = tokens.get(address);
    if (!token) {
      token = harness.control.issueTokens({ address }).then((issued) => issued.access_token);
      token.catch(() => tokens.delete(address));
      tokens.set(address, token);
    }
    return token;
  };

  return {
    harness,
    db,
    database,
    tokenFor,
    async addAccount(address, values = {}) {
      await harness.control.addUser({ address });
      await harness.maildirs.ensureFolder(address);
      const [row] = await db
        .insert(mailAccounts)
        .values({
          emailAddress: address,
          homeAccountId: `${randomUUID()}.${randomUUID()}`,
          tenantId: randomUUID(),
          signInAddress: address,
          imapUser: address,
          ...values,
        })
        .returning({ id: mailAccounts.id });
      return (row as { id: string }).id;
    },
    deps(overrides = {}) {
      return {
        db,
        getAccessToken: (account: SyncAccount) => tokenFor(account.imapUser),
        imapEndpoint: () => ({ host: '127.0.0.1', port: harness.imapPort, tls: false }),
        ...overrides,
      };
    },
    async stop() {
      await dbModule.closeDatabase();
      await Promise.all([harness.stop(), database.drop()]);
    },
  };
}

/** sha256 of every message as Dovecot serves it (BODY.PEEK[]), by UID: the byte-exact reference. */
export async function serverSources(
  harness: Harness,
  address: string,
  accessToken: string,
  folder = 'INBOX',
): Promise<Map<number, string>> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: harness.imapPort,
    secure: false,
    auth: { user: address, accessToken },
    logger: false,
  });
  await client.connect();
  const hashes = new Map<number, string>();
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    for await (const message of client.fetch('1:*', { uid: true, source: true }, { uid: true })) {
      if (message.source) hashes.set(message.uid, createHash('sha256').update(message.source).digest('hex'));
    }
  } finally {
    await client.logout();
  }
  return hashes;
}

/** UIDs currently in a folder, as the server lists them. */
export async function serverUids(
  harness: Harness,
  address: string,
  accessToken: string,
  folder = 'INBOX',
): Promise<number[]> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: harness.imapPort,
    secure: false,
    auth: { user: address, accessToken },
    logger: false,
  });
  await client.connect();
  try {
    await client.mailboxOpen(folder, { readOnly: true });
    const found = await client.search({ all: true }, { uid: true });
    return Array.isArray(found) ? found : [];
  } finally {
    await client.logout();
  }
}
