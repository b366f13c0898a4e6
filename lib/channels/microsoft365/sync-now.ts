import 'server-only';
import { after } from 'next/server';
import { accountMissing } from '@/lib/channels/microsoft365/accounts';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import type { Db } from '@/lib/db/types';
import { fail, type Failure, type Result } from '@/lib/errors';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { findAccount, listSyncableAccountIds } from '@/lib/db/queries/mail-accounts';
import { countOf } from '@/lib/format/count';
import { logger } from '@/lib/logger';
import { runSync } from '@/lib/sync/run';

// A button-started sync runs after the response, within the page's maxDuration; the rest resumes next run.
const BUTTON_BUDGET_MS = 240_000;

export type SyncNowResult = Result<
  { accounts: number; since: Date },
  Failure<'account.missing' | 'account.inactive' | 'sync.nothing_to_sync'>
>;

/** Starts a sync of the given mailboxes (or every active one) in the background; progress is read from the database. */
export async function startSyncNow(
  db: Db,
  admin: { id: string; email: string },
  accountId?: string,
): Promise<SyncNowResult> {
  let ids: string[];
  let address: string | undefined;
  if (accountId) {
    const account = await findAccount(db, accountId);
    if (!account || account.removedAt) return accountMissing();
    if (account.status === 'needs_reauth')
      return fail('account.inactive', 'Re-authenticate the mailbox first: its sign-in is no longer valid.');
    if (account.status === 'disabled') return fail('account.inactive', 'Enable the mailbox first.');
    ids = [account.id];
    address = account.emailAddress;
  } else {
    ids = await listSyncableAccountIds(db);
    if (ids.length === 0) return fail('sync.nothing_to_sync', 'No mailbox can be synced right now.');
  }
  // Runs of this request start after this moment (a second earlier, for the clock's resolution).
  const since = new Date(Date.now() - 1000);
  await recordAuditEvent(db, {
    adminId: admin.id,
    adminEmail: admin.email,
    action: 'sync.requested',
    accountId: accountId ?? null,
    target: address ?? countOf(ids.length, 'mailbox', 'mailboxes'),
  });
  after(async () => {
    try {
      await runSync(productSyncDeps(db, { budgetMs: BUTTON_BUDGET_MS }), { accountIds: ids, trigger: 'manual' });
    } catch (error) {
      logger('sync-now').error({ err: error }, 'sync started from the console failed');
    }
  });
  return { ok: true, accounts: ids.length, since };
}
