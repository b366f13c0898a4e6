import 'server-only';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { AccountError } from '@/lib/db/schema';
import type { AccountSyncUpdate } from '@/lib/db/queries/sync-leases';
import {
  ExplainedFault,
  explainImapError,
  explainMsalError,
  type ErrorContext,
  type ExplainedError,
} from '@/lib/microsoft/errors';
import { explainGraphFailure } from '@/lib/microsoft/graph/explain';
import { GraphFailure } from '@/lib/microsoft/graph/failure';
import { isPersonalAccount } from '@/lib/microsoft/mailbox-identity';
import { backoffDelayMs } from '@/lib/sync/backoff';
import { LeaseLostError } from '@/lib/sync/lease';
import type { AccountOutcome, SyncAccount, SyncFailure } from '@/lib/sync/types';

/** Where a sync failed decides which explainer reads the error. */
export type SyncStage = 'token' | 'imap' | 'graph' | 'store';

/** After this many failures in a row an account stops being retried on its own (status `error`). */
export const MAX_CONSECUTIVE_FAILURES = 10;

/** Thrown around database failures while storing a batch, so they are not mistaken for IMAP trouble. */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(readonly cause: unknown) {
    super('Storing a batch of messages failed.');
  }
}

export function classifyFailure(error: unknown, stage: SyncStage, account: SyncAccount): SyncFailure {
  const context: ErrorContext = {
    mailbox: account.signInAddress,
    imapUser: account.imapUser,
    personal: isPersonalAccount(account.tenantId),
    application: account.access === 'application',
  };
  if (error instanceof LeaseLostError) {
    return { code: error.code, message: 'Another worker took over this mailbox’s sync.', scope: 'transient' };
  }
  // getAccessToken explained it already (lib/channels' TokenError), with the app and mailbox it knows.
  if (error instanceof ExplainedFault) return failureOf(error.explained);
  // Graph's answers carry their own kind; the Graph catalog names the mailbox and the fix. With application access
  // there is no sign-in to renew: a mailbox the app may not open waits for an admin's fix with backoff, and
  // comes back by itself once the scope includes it, instead of waiting for a re-authentication that cannot help.
  if (error instanceof GraphFailure) {
    const failure = failureOf(explainGraphFailure(error, { ...context, mailbox: account.emailAddress }));
    return account.access === 'application' && failure.scope === 'account' ? { ...failure, scope: 'config' } : failure;
  }
  // A query the database refused or could not run (drizzle wraps the driver's error), at whatever stage: reading a
  // folder's state or opening the run's record happens while mail is being read, and is not IMAP trouble.
  if (error instanceof StoreError || stage === 'store' || error instanceof DrizzleQueryError) {
    return {
      code: 'sync.store_failed',
      message:
        error instanceof DrizzleQueryError && stage !== 'store'
          ? 'The database failed during the sync.'
          : 'Messages could not be saved to the database.',
      hint: 'The sync retries with increasing pauses; the server log has the database error.',
      scope: 'transient',
      raw: describe(error instanceof StoreError || error instanceof DrizzleQueryError ? error.cause : error),
    };
  }
  if (stage === 'graph')
    return failureOf(explainGraphFailure(new GraphFailure('server', 'unexpected', describe(error)), context));
  return failureOf(stage === 'token' ? explainMsalError(error, context) : explainImapError(error, context));
}

function failureOf(explained: ExplainedError): SyncFailure {
  return {
    code: explained.code,
    message: explained.title,
    hint: explained.action,
    scope: explained.scope,
    retryAfterMs: explained.retryAfterMs,
    raw: explained.raw,
  };
}

/**
 * How the account row changes after a failed run:
 * - account scope (invalid_grant family): needs_reauth, other accounts go on;
 * - app scope (client secret): status kept, the error names the app-level cause, retried with backoff, never
 *   turned into `error` (fixing the secret must bring every mailbox back by itself);
 * - transient and config: backoff (a server's suggested wait wins), `error` after 10 failures in a row.
 */
export function updateAfterFailure(
  account: SyncAccount,
  failure: SyncFailure,
  now: Date,
  random?: () => number,
): AccountSyncUpdate {
  const failures = account.consecutiveFailures + 1;
  const lastError = accountErrorOf(failure, now);
  const nextAttemptAt = new Date(now.getTime() + backoffDelayMs(failures, failure.retryAfterMs, random));
  const status =
    failure.scope === 'account'
      ? 'needs_reauth'
      : failure.scope !== 'app' && failures >= MAX_CONSECUTIVE_FAILURES
        ? 'error'
        : account.status;
  return { status, lastError, consecutiveFailures: failures, nextAttemptAt, lastSyncOutcome: 'failed' };
}

export function accountErrorOf(failure: SyncFailure, now: Date): AccountError {
  const error: AccountError = { code: failure.code, message: failure.message, at: now.toISOString() };
  if (failure.hint) error.hint = failure.hint;
  return error;
}

/** SELECT of a folder that was deleted or renamed on the server (NONEXISTENT). */
export function isMissingFolder(error: unknown): boolean {
  return explainImapError(error).code === 'imap.folder_missing';
}

/** Names the folders, which the catalog's generic advice cannot. */
export function missingFoldersFailure(folders: string[]): SyncFailure {
  const names = folders.map((folder) => `“${folder}”`).join(', ');
  const advice = explainImapError({ mailboxMissing: true, message: '' });
  return {
    code: advice.code,
    message:
      folders.length === 1
        ? `The folder ${names} no longer exists in the mailbox (deleted or renamed), so it was not synced.`
        : `The folders ${names} no longer exist in the mailbox (deleted or renamed), so they were not synced.`,
    hint: `${advice.action} Mail already stored stays.`,
    scope: 'config',
  };
}

/**
 * Exchange throttled the session ("Request is throttled. Suggested Backoff Time: N milliseconds", then it closes
 * the connection): the server asked for a pause, the mailbox is not failing. What was stored stays, the run ends
 * as partial, the next attempt comes after the suggested time, and the failure count (which turns a mailbox to
 * `error` after 10) is left alone; the notice stays visible until a run succeeds.
 */
export function isThrottled(failure: SyncFailure | undefined): boolean {
  // Graph's 429s beyond the client's retries are the same pause asked for (https://learn.microsoft.com/en-us/graph/throttling).
  return failure?.code === 'throttled' || failure?.code === 'graph.throttled';
}

export function updateAfterThrottle(account: SyncAccount, failure: SyncFailure, now: Date): AccountSyncUpdate {
  return {
    status: account.status,
    lastError: accountErrorOf(failure, now),
    consecutiveFailures: account.consecutiveFailures,
    nextAttemptAt: new Date(now.getTime() + backoffDelayMs(0, failure.retryAfterMs ?? 60_000)),
    lastSyncOutcome: 'partial',
  };
}

/** A run that stopped on its time budget is due again at once: the next run continues from the watermark. */
export function updateAfterSuccess(
  outcome: Exclude<AccountOutcome, 'failed'>,
  now: Date,
  intervalMs: number,
): AccountSyncUpdate {
  return {
    status: 'active',
    lastSyncedAt: now,
    lastSyncOutcome: outcome,
    lastError: null,
    consecutiveFailures: 0,
    nextAttemptAt: outcome === 'partial' ? now : new Date(now.getTime() + intervalMs),
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`.slice(0, 2_000);
  }
  return String(error).slice(0, 2_000);
}
