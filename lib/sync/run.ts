import 'server-only';
import { leaseDueAccounts } from '@/lib/db/queries/sync-leases';
import { AppError } from '@/lib/errors';
import { logger } from '@/lib/logger';
import { defaultLeaseOwner } from '@/lib/sync/lease';
import { syncLeasedAccount } from '@/lib/sync/sync-account';
import { WATCHED_RECHECK_MS } from '@/lib/sync/watch/recheck';
import type { AccountSyncReport, SyncAccount, SyncDeps, SyncLimits, SyncOptions, SyncReport } from '@/lib/sync/types';

export const SYNC_DEFAULTS = {
  concurrency: 4,
  connectionsPerMailbox: 4,
  batchMessages: 200,
  batchBytes: 12 * 1024 * 1024,
  maxMessageBytes: 50 * 1024 * 1024,
  leaseMs: 2 * 60_000,
  // Short enough that new mail shows within a couple of minutes of a per-minute cron; the incremental run that
  // finds nothing costs one SELECT.
  intervalMs: 60_000,
} as const;

/**
 * One pass: each of `concurrency` workers leases one due account at a time until none is due or the budget is
 * spent. Leasing only for workers ready to start (rather than all due accounts up front) lets other processes
 * share the work. An account is synced at most once per pass.
 */
export async function runSync(deps: SyncDeps, options: SyncOptions = { trigger: 'cron' }): Promise<SyncReport> {
  const startedAt = new Date();
  const owner = deps.owner ?? defaultLeaseOwner();
  const now = deps.now ?? (() => new Date());
  const deadline = deps.budgetMs !== undefined ? Date.now() + deps.budgetMs : null;
  const limits: SyncLimits = {
    connectionsPerMailbox: deps.connectionsPerMailbox ?? SYNC_DEFAULTS.connectionsPerMailbox,
    batchMessages: deps.batch?.messages ?? SYNC_DEFAULTS.batchMessages,
    batchBytes: deps.batch?.bytes ?? SYNC_DEFAULTS.batchBytes,
    maxMessageBytes: deps.maxMessageBytes ?? SYNC_DEFAULTS.maxMessageBytes,
    leaseMs: deps.leaseMs ?? SYNC_DEFAULTS.leaseMs,
    intervalMs: deps.intervalMs ?? SYNC_DEFAULTS.intervalMs,
  };
  const handled = new Set<string>();
  const reports: AccountSyncReport[] = [];

  // One lease query at a time per pass, so each sees every account the others took: a fast-failing account
  // released by one worker cannot be leased again by another in the same pass. The workers that ask while a query
  // runs are served together by the next one, which leases up to that many accounts (each with its own lease, and
  // only as many as there are workers ready to start them at once). With one account per query, a pass could go
  // no faster than one mailbox per lease round trip whatever the concurrency; now a slow lease query serves more
  // workers at once instead of holding them in a queue.
  const waiting: { resolve(account: SyncAccount | undefined): void; reject(error: unknown): void }[] = [];
  let leasing = false;
  const leaseBatch = async () => {
    if (leasing || waiting.length === 0) return;
    leasing = true;
    const batch = waiting.splice(0);
    try {
      const accounts = await leaseDueAccounts(deps.db, {
        owner,
        leaseMs: limits.leaseMs,
        limit: batch.length,
        now: now(),
        accountIds: options.accountIds,
        exclude: [...handled],
        // Mailboxes an IDLE watch covers cost no connection here, until the safety-net recheck is due.
        skipWatchedSyncedAfter: new Date(now().getTime() - WATCHED_RECHECK_MS),
      });
      for (const account of accounts) handled.add(account.id);
      // Fewer due than asked for: the workers left without one are done, as one whose own query found none.
      batch.forEach((request, i) => request.resolve(accounts[i]));
    } catch (error) {
      for (const request of batch) request.reject(error);
    } finally {
      leasing = false;
    }
    void leaseBatch();
  };
  const leaseNext = () =>
    new Promise<SyncAccount | undefined>((resolve, reject) => {
      waiting.push({ resolve, reject });
      // After the current tick: workers starting (or finishing) together share one query.
      queueMicrotask(() => void leaseBatch());
    });

  const worker = async () => {
    while ((deadline === null || Date.now() < deadline) && !deps.signal?.aborted) {
      const account = await leaseNext();
      if (!account) return;
      reports.push(await syncLeasedAccount({ deps, account, owner, trigger: options.trigger, limits, deadline, now }));
    }
  };
  // A worker whose lease query fails stops; the others finish the accounts they hold before the pass fails, so
  // no sync goes on (holding its lease, its connections) behind a pass that already returned.
  const workers = await Promise.allSettled(
    Array.from({ length: Math.max(1, deps.concurrency ?? SYNC_DEFAULTS.concurrency) }, worker),
  );
  const failed = workers.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    logger('sync').error({ err: failed.reason }, 'leasing the next due account failed');
    throw new AppError(
      'sync.lease_failed',
      `Could not take the next due mailbox from the database: ${rootMessage(failed.reason)}`,
    );
  }
  return { startedAt, durationMs: Date.now() - startedAt.getTime(), accounts: reports };
}

/** The driver's own words (drizzle wraps them in "Failed query: <the whole SQL>"). */
function rootMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
