import 'server-only';
import { finishAccountSync, type AccountSyncUpdate } from '@/lib/db/queries/sync-leases';
import { finishAccountSyncAndRun, finishSyncRun, startSyncRun, type SyncRunResult } from '@/lib/db/queries/sync-runs';
import type { Db } from '@/lib/db/types';
import { imapFailure } from '@/lib/mail/imap';
import { logger } from '@/lib/logger';
import { ExplainedFault, type ExplainedError } from '@/lib/microsoft/errors';
import {
  accountErrorOf,
  classifyFailure,
  isMissingFolder,
  isThrottled,
  missingFoldersFailure,
  updateAfterFailure,
  updateAfterSuccess,
  updateAfterThrottle,
  type SyncStage,
} from '@/lib/sync/failures';
import { syncGraphMailbox } from '@/lib/sync/graph/sync-graph-mailbox';
import { nothingNewOnServer } from '@/lib/sync/idle-check';
import { LeaseKeeper } from '@/lib/sync/lease';
import { MailSession, syncFolderOnSession } from '@/lib/sync/mail-session';
import type { AccountSyncReport, SyncAccount, SyncDeps, SyncFailure, SyncLimits, SyncTrigger } from '@/lib/sync/types';

export interface AccountJob {
  deps: SyncDeps;
  account: SyncAccount;
  owner: string;
  trigger: SyncTrigger;
  limits: SyncLimits;
  deadline: number | null;
  now: () => Date;
}

/**
 * Syncs one leased account: token, IMAP session (or Microsoft Graph, by the account's transport), each folder;
 * then one sync_runs row and the account's outcome, backoff and lease release. Never throws: a failure is the
 * account's outcome, not the pass's.
 */
export async function syncLeasedAccount(job: AccountJob): Promise<AccountSyncReport> {
  const { deps, account } = job;
  const started = Date.now();
  const lease = new LeaseKeeper(deps.db, account.id, job.owner, job.limits.leaseMs).start();
  const totals = { fetched: 0, bytes: 0 };
  let stage: SyncStage = 'token';
  let session: MailSession | undefined;
  let complete = true;
  let failure: SyncFailure | undefined;
  const missingFolders: string[] = [];
  deps.onProgress?.({ type: 'account-started', accountId: account.id, address: account.emailAddress });
  const runId = await startSyncRun(deps.db, account.id, job.trigger).catch(() => undefined);
  const closeOnLoss = () => session?.client.close();
  lease.signal.addEventListener('abort', closeOnLoss);
  const progress = (folder: string, stored: { stored: number; bytes: number }, pending: number) => {
    totals.fetched += stored.stored;
    totals.bytes += stored.bytes;
    deps.onProgress?.({
      type: 'batch-stored',
      accountId: account.id,
      address: account.emailAddress,
      folder,
      ...totals,
      pending,
    });
  };
  try {
    if (account.transport === 'graph') {
      if (!deps.graphMailbox) throw new ExplainedFault(graphNotWired());
      const graph = await deps.graphMailbox(account);
      stage = 'graph';
      lease.assertHeld();
      const result = await syncGraphMailbox({
        db: deps.db,
        graph,
        lease,
        account,
        limits: job.limits,
        deadline: job.deadline,
        signal: deps.signal,
        onPageStored: (folder, page, storedInFolder) => progress(folder, page, storedInFolder),
      });
      complete = result.complete;
      missingFolders.push(...result.missingFolders);
    } else {
      const endpoint = await deps.imapEndpoint(account);
      const tokenClock = deps.tokenClock ?? Date.now;
      // Nothing new (one short STATUS connection agrees with the recorded folders): no session at all.
      const check = await nothingNewOnServer({ deps, account, endpoint, trigger: job.trigger, now: tokenClock });
      if (check.idle) {
        lease.assertHeld();
      } else {
        session = await MailSession.open({
          deps,
          account,
          endpoint,
          onStage: (next) => (stage = next),
          now: tokenClock,
        });
        lease.assertHeld();
        for (const folder of account.folders) {
          const result = await syncFolderOnSession(session, {
            db: deps.db,
            lease,
            account,
            folder,
            probed: check.probed?.get(folder),
            limits: job.limits,
            deadline: job.deadline,
            signal: deps.signal,
            onBatchStored: (batch, pending) => progress(folder, batch, pending),
          }).catch((error: unknown) => {
            // A folder deleted or renamed on the server must not keep the others from syncing.
            if (!isMissingFolder(error)) throw error;
            missingFolders.push(folder);
            return undefined;
          });
          if (result && !result.complete) {
            complete = false;
            break;
          }
        }
      }
    }
  } catch (error) {
    // A lost lease surfaces as whatever the closed connection threw; the lease is the real reason.
    failure = classifyFailure(lease.lost ? lease.signal.reason : imapFailure(session?.client, error), stage, account);
    logger('sync').warn(
      { accountId: account.id, code: failure.code, scope: failure.scope, raw: failure.raw },
      'account sync failed',
    );
  } finally {
    lease.signal.removeEventListener('abort', closeOnLoss);
    await lease.stop();
  }
  // LOGOUT's answer is a round trip away: the outcome is recorded meanwhile (every batch is committed already).
  const closing = session?.close();

  // Every folder gone is a failure (backoff); some gone is a warning: the others keep their schedule.
  const folderProblem = missingFolders.length > 0 ? missingFoldersFailure(missingFolders) : undefined;
  if (!failure && folderProblem && missingFolders.length === account.folders.length) failure = folderProblem;
  const warning = failure ? undefined : folderProblem;
  const now = job.now();
  const throttled = isThrottled(failure);
  const outcome = failure && !throttled ? 'failed' : complete && !throttled ? 'success' : 'partial';
  const update =
    throttled && failure
      ? updateAfterThrottle(account, failure, now)
      : failure
        ? updateAfterFailure(account, failure, now)
        : updateAfterSuccess(complete ? 'success' : 'partial', now, job.limits.intervalMs);
  if (warning) update.lastError = accountErrorOf(warning, now);
  const runResult: SyncRunResult = {
    messages: totals.fetched,
    bytes: totals.bytes,
    outcome,
    errorCode: (failure ?? warning)?.code,
    errorMessage: (failure ?? warning)?.message,
  };
  const recorded = await recordOutcome(deps.db, { accountId: account.id, owner: job.owner, update }, runId, {
    leaseLost: lease.lost,
    result: runResult,
  });
  await closing;
  const report: AccountSyncReport = {
    accountId: account.id,
    address: account.emailAddress,
    fetched: totals.fetched,
    bytes: totals.bytes,
    durationMs: Date.now() - started,
    outcome,
    // needs_reauth and error wait for people; a lost lease leaves the schedule to the new owner.
    nextAttemptAt:
      recorded && update.status !== 'needs_reauth' && update.status !== 'error' ? (update.nextAttemptAt ?? null) : null,
  };
  const problem = failure ?? warning;
  if (problem)
    report.error = { code: problem.code, message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) };
  deps.onProgress?.({ type: 'account-finished', report });
  return report;
}

/**
 * The account's outcome (lease released) and its run row. A lost lease means another worker owns the account now:
 * its row is theirs to update, and only the run row is closed. Otherwise both in one statement. Never throws.
 */
async function recordOutcome(
  db: Db,
  account: { accountId: string; owner: string; update: AccountSyncUpdate },
  runId: number | undefined,
  { leaseLost, result }: { leaseLost: boolean; result: SyncRunResult },
): Promise<boolean> {
  const outcomeFailed = (error: unknown) => {
    logger('sync').error({ err: error, accountId: account.accountId, runId }, 'recording the sync outcome failed');
    return false;
  };
  if (leaseLost) {
    if (runId !== undefined) await finishSyncRun(db, runId, result).catch(outcomeFailed);
    return false;
  }
  if (runId === undefined)
    return finishAccountSync(db, account.accountId, account.owner, account.update).catch(outcomeFailed);
  return finishAccountSyncAndRun(db, account, { id: runId, result }).catch(outcomeFailed);
}

/** A deployment whose deps cannot reach Graph (a caller wired for IMAP only). */
const graphNotWired = (): ExplainedError => ({
  code: 'sync.graph_unavailable',
  title: 'This mailbox is read through Microsoft Graph, which this worker is not set up for.',
  explanation: 'The sync was started without a way to reach Microsoft Graph.',
  action: 'Run the sync from the console, the cron route or the sync command, which reach Graph.',
  whoActs: 'console_admin',
  scope: 'config',
});
