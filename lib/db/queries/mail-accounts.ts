import 'server-only';
import { and, asc, count, eq, getTableColumns, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db/types';
import { mailAccounts, messages, type AccountError } from '@/lib/db/schema';

export type MailAccount = typeof mailAccounts.$inferSelect;
export type NewMailAccount = typeof mailAccounts.$inferInsert;
export type AccountSummary = Omit<MailAccount, 'tokenCacheSealed'> & { messageCount: number };

const { tokenCacheSealed: _omitCache, ...summaryColumns } = getTableColumns(mailAccounts);

export const ACCOUNTS_PAGE_SIZE = 50;

/**
 * One page (from 1) of the accounts the channel shows (not removed), by address, without token caches, each with
 * its stored message count; and how many accounts there are. Messages are counted for the page's accounts only
 * (on messages_account_newest): counting every row of a million-message table is what made the page slow.
 */
export async function listAccounts(
  db: Db,
  options: { page?: number; pageSize?: number } = {},
): Promise<{ accounts: AccountSummary[]; total: number }> {
  const pageSize = options.pageSize ?? ACCOUNTS_PAGE_SIZE;
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const [rows, [total]] = await Promise.all([
    db
      .select(summaryColumns)
      .from(mailAccounts)
      .where(isNull(mailAccounts.removedAt))
      .orderBy(asc(mailAccounts.emailAddress), asc(mailAccounts.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ n: count() }).from(mailAccounts).where(isNull(mailAccounts.removedAt)),
  ]);
  const ids = rows.map((row) => row.id);
  const counts =
    ids.length === 0
      ? []
      : await db
          .select({ accountId: messages.accountId, n: count() })
          .from(messages)
          .where(inArray(messages.accountId, ids))
          .groupBy(messages.accountId);
  const byAccount = new Map(counts.map((row) => [row.accountId, Number(row.n)]));
  return {
    accounts: rows.map((row) => ({ ...row, messageCount: byAccount.get(row.id) ?? 0 })),
    total: Number(total?.n ?? 0),
  };
}

/** The errors of every shown account, for the one app-level problem above the list (whatever page is shown). */
export async function listAccountErrors(db: Db): Promise<{ lastError: AccountError | null }[]> {
  return db
    .select({ lastError: mailAccounts.lastError })
    .from(mailAccounts)
    .where(and(isNull(mailAccounts.removedAt), isNotNull(mailAccounts.lastError)));
}

/** Accounts a sync may take now: connected (not removed) and active or failing. */
export async function listSyncableAccountIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: mailAccounts.id })
    .from(mailAccounts)
    .where(and(isNull(mailAccounts.removedAt), inArray(mailAccounts.status, ['active', 'error'])));
  return rows.map((row) => row.id);
}

export async function findAccount(db: Db | Tx, id: string): Promise<MailAccount | undefined> {
  const [row] = await db.select().from(mailAccounts).where(eq(mailAccounts.id, id));
  return row;
}

export async function countStoredMessages(db: Db, accountId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(messages).where(eq(messages.accountId, accountId));
  return row?.n ?? 0;
}

/**
 * Creates the account or, when this Microsoft account already opens this mailbox, updates it (a reconnect or
 * re-authentication never duplicates; a removed account comes back with its history).
 */
export async function upsertConnectedAccount(
  db: Db | Tx,
  values: NewMailAccount,
): Promise<{ account: MailAccount; created: boolean }> {
  const [row] = await db
    .insert(mailAccounts)
    .values({ ...values, signInRenewedAt: values.signInRenewedAt ?? new Date() })
    .onConflictDoUpdate({
      target: [mailAccounts.homeAccountId, mailAccounts.imapUser],
      set: {
        appId: values.appId,
        displayName: values.displayName,
        emailAddress: values.emailAddress,
        signInAddress: values.signInAddress,
        tenantId: values.tenantId,
        tokenCacheSealed: values.tokenCacheSealed,
        signInRenewedAt: values.signInRenewedAt ?? new Date(),
        smtpWarning: values.smtpWarning ?? null,
        // Connecting again may change how the mailbox is reached (IMAP to Graph when the app's transport changed).
        transport: values.transport ?? 'imap',
        access: values.access ?? 'delegated',
        status: 'active',
        lastError: null,
        consecutiveFailures: 0,
        nextAttemptAt: new Date(),
        removedAt: null,
        updatedAt: new Date(),
      },
    })
    // xmax is 0 only for a freshly inserted row: tells a new connection from a reconnect.
    .returning({ ...getTableColumns(mailAccounts), created: sql<boolean>`(xmax = 0)` });
  if (!row) throw new Error('upsert returned no row');
  const { created, ...account } = row;
  return { account, created: Boolean(created) };
}

export async function updateAccount(
  db: Db | Tx,
  id: string,
  values: Partial<NewMailAccount>,
): Promise<MailAccount | undefined> {
  const [row] = await db
    .update(mailAccounts)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(mailAccounts.id, id))
    .returning();
  return row;
}

export async function deleteAccount(db: Db | Tx, id: string): Promise<void> {
  await db.delete(mailAccounts).where(eq(mailAccounts.id, id));
}

/** Accounts that need an admin: waiting for re-authentication, or failing. */
export async function countAccountsNeedingAttention(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(mailAccounts)
    .where(and(isNull(mailAccounts.removedAt), inArray(mailAccounts.status, ['needs_reauth', 'error'])));
  return row?.n ?? 0;
}

/** Accounts whose tokens were issued to this app registration (or to no known one) and still sync. */
const syncingAccountsOf = (appId: string) =>
  and(
    isNull(mailAccounts.removedAt),
    or(eq(mailAccounts.appId, appId), isNull(mailAccounts.appId)),
    inArray(mailAccounts.status, ['active', 'error']),
  );

/** How many mailboxes must sign in again if the app registration `appId` is replaced. */
export async function countAccountsSignedInWith(db: Db | Tx, appId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(mailAccounts).where(syncingAccountsOf(appId));
  return row?.n ?? 0;
}

/**
 * After the client ID changes, every token of the old registration is useless: its mailboxes must sign in again.
 * Their state before is kept in `last_error.previous`, so putting the old client ID back restores it.
 */
export async function suspendAccountsSignedInWith(db: Db | Tx, appId: string, error: AccountError): Promise<number> {
  const rows = await db
    .update(mailAccounts)
    .set({
      status: 'needs_reauth',
      lastError: sql`${JSON.stringify(error)}::jsonb || jsonb_build_object('previous',
        jsonb_build_object('status', ${mailAccounts.status}, 'lastError', ${mailAccounts.lastError}))`,
      updatedAt: new Date(),
    })
    .where(syncingAccountsOf(appId))
    .returning({ id: mailAccounts.id });
  return rows.length;
}

/** The registration `appId` is back: its mailboxes suspended by the change return to their state before it. */
export async function restoreAccountsSignedInWith(db: Db | Tx, appId: string, suspendedCode: string): Promise<number> {
  const rows = await db
    .update(mailAccounts)
    .set({
      status: sql`(${mailAccounts.lastError}->'previous'->>'status')::account_status`,
      lastError: sql`nullif(${mailAccounts.lastError}->'previous'->'lastError', 'null'::jsonb)`,
      nextAttemptAt: new Date(),
      updatedAt: new Date(),
    })
    .where(
      and(
        isNull(mailAccounts.removedAt),
        eq(mailAccounts.appId, appId),
        eq(mailAccounts.status, 'needs_reauth'),
        sql`${mailAccounts.lastError}->>'code' = ${suspendedCode}`,
        sql`${mailAccounts.lastError}->'previous'->>'status' in ('active', 'error')`,
      ),
    )
    .returning({ id: mailAccounts.id });
  return rows.length;
}

/**
 * msal writes its cache only when the token endpoint answered (a refresh, which also rotates the refresh token):
 * that is when the sign-in's 90-day idle clock starts again.
 */
export async function saveSealedTokenCache(db: Db, id: string, sealed: string): Promise<void> {
  const now = new Date();
  await db
    .update(mailAccounts)
    .set({ tokenCacheSealed: sealed, signInRenewedAt: now, updatedAt: now })
    .where(eq(mailAccounts.id, id));
}
