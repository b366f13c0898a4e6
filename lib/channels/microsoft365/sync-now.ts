import 'server-only';
import { after } from 'next/server';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import type { Db } from '@/lib/db/types';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { findAccount, listSyncableAccountIds } from '@/lib/db/queries/mail-accounts';
import { countOf } from '@/lib/format/count';
import { logger } from '@/lib/logger';
import { runSync } from '@/lib/sync/run';

// A button-started sync runs after the response, within the page's maxDuration; the rest resumes next run.
const BUTTON_BUDGET_MS = 240_000;

export type SyncNowResult = { ok: true; accounts: number; since: Date } | { ok: false; message: string };

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
    if (!account || account.removedAt) return { ok: false, message: 'That mailbox no longer exists.' };
    if (account.status === 'needs_reauth')
      return { ok: false, message: 'Re-authenticate the mailbox first: its sign-in is no longer valid.' };
    if (account.status === 'disabled') return { ok: false, message: 'Enable the mailbox first.' };
    ids = [account.id];
    address = account.emailAddress;
  } else {
    ids = await listSyncableAccountIds(db);
    if (ids.length === 0) return { ok: false, message: 'No mailbox can be synced right now.' };
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
