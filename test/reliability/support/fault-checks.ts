/**
 * What every fault scenario checks after the fault and after the run that follows it: the mailbox is stored
 * exactly (compareWithServer), the account is not stuck behind a lease, and no batch was committed without the
 * watermark that covers it.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { mailAccounts, mailFolderState, messages } from '@/lib/db/schema';
import type { Harness } from '@/test/harness/fixture';
import { compareWithServer, type Exactness } from '@/test/reliability/support/exactness';
import { serverSources, serverUids } from '@/test/support/sync-harness';
import { imapUid } from '@/test/support/stored-uids';

async function ownerToken(harness: Harness, address: string): Promise<string> {
  return (await harness.control.issueTokens({ address })).access_token;
}

/** The server's messages (sha256 by UID) against the account's stored rows. */
export async function exactness(db: Db, harness: Harness, accountId: string, address: string): Promise<Exactness> {
  return compareWithServer(db, accountId, await serverSources(harness, address, await ownerToken(harness, address)));
}

export async function accountRow(db: Db, accountId: string) {
  const [row] = await db.select().from(mailAccounts).where(eq(mailAccounts.id, accountId));
  if (!row) throw new Error(`no account ${accountId}`);
  return row;
}

/** Released, or expired by the database's clock (the one leases are taken by). */
export async function leaseIsFree(db: Db, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ free: sql<boolean>`${mailAccounts.leaseOwner} is null or ${mailAccounts.leaseExpiresAt} < now()` })
    .from(mailAccounts)
    .where(eq(mailAccounts.id, accountId));
  return row?.free === true;
}

export interface WatermarkCoverage {
  lastUid: number;
  /** Stored rows above the watermark: a batch committed without its watermark. */
  storedAbove: number;
  /** Server UIDs at or below the watermark with no row: a watermark advanced past mail it did not store. */
  missingBelow: number;
  stored: number;
}

/** Stored UIDs must be exactly the server's UIDs up to the watermark, whatever point a fault interrupted. */
export async function watermarkCoverage(
  db: Db,
  harness: Harness,
  accountId: string,
  address: string,
  folder = 'INBOX',
): Promise<WatermarkCoverage> {
  const [state] = await db
    .select({ lastUid: mailFolderState.lastUid })
    .from(mailFolderState)
    .where(and(eq(mailFolderState.accountId, accountId), eq(mailFolderState.folder, folder)));
  const lastUid = state?.lastUid ?? 0;
  const rows = await db
    .select({ uid: imapUid })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), eq(messages.folder, folder)));
  const stored = new Set(rows.map((row) => row.uid));
  const onServer = await serverUids(harness, address, await ownerToken(harness, address), folder);
  return {
    lastUid,
    storedAbove: rows.filter((row) => row.uid > lastUid).length,
    missingBelow: onServer.filter((uid) => uid <= lastUid && !stored.has(uid)).length,
    stored: rows.length,
  };
}
