import type { Db } from '@/lib/db/types';
import type { SyncAccount } from '@/lib/db/queries/sync-leases';
import type { ImapEndpoint } from '@/lib/mail/imap';
import type { ErrorScope } from '@/lib/microsoft/errors';
import type { GraphTokenSource } from '@/lib/microsoft/graph/client';

export type { SyncAccount };

/** An access token and when it expires (msal's `expiresOn`; Microsoft's access tokens are opaque to clients). */
export interface AccessGrant {
  accessToken: string;
  expiresOn: Date | null;
}
export type SyncTrigger = 'cron' | 'cli' | 'manual' | 'schedule' | 'watch';
export type AccountOutcome = 'success' | 'partial' | 'failed';

/** What the engine needs from the rest of the product; it knows nothing of msal or where endpoints come from. */
export interface SyncDeps {
  db: Db;
  /**
   * Throws an msal error (classified with explainMsalError) or an ExplainedFault (explained already).
   * `forceRefresh` is asked for when IMAP rejects a token that had not expired yet, when the cached token has
   * too little life left for a session, and after Exchange ended a session because its token expired. With an
   * expiry the engine renews long sessions before the token runs out; a bare string has none.
   */
  getAccessToken(account: SyncAccount, options?: { forceRefresh?: boolean }): Promise<string | AccessGrant>;
  imapEndpoint(account: SyncAccount): ImapEndpoint | Promise<ImapEndpoint>;
  /**
   * How to reach a mailbox whose transport is 'graph'; throws like getAccessToken. Absent: such accounts fail with
   * a plain-word error (a deployment wired for IMAP only).
   */
  graphMailbox?(account: SyncAccount): Promise<GraphMailbox>;
  /** Lease owner id; default `${hostname}:${pid}:${random}`. */
  owner?: string;
  /** The scheduler's clock: due times, backoff, run records. A test may move it to stand for a later pass. */
  now?: () => Date;
  /**
   * The clock access-token expiries are reckoned on: msal computes `expiresOn` on the wall clock and serves its
   * cache by it, so the session's renewal compares with the same clock (default `Date.now`), never a moved `now`.
   */
  tokenClock?: () => number;
  /** Stop starting new batches (and accounts) once this much time has passed. Default: no limit. */
  budgetMs?: number;
  /**
   * Aborted when the process is asked to stop (SIGTERM): like a spent budget, no account is leased and no batch
   * started after it; batches in flight commit or roll back, and each account records its run and frees its lease.
   */
  signal?: AbortSignal;
  /** Accounts synced at once by this call. Default 4. */
  concurrency?: number;
  /**
   * A batch (one transaction) holds at most this many messages or bytes. Default 200 / 12 MB: with one batch
   * downloading and two writing, at most about 36 MB of mail is in memory at once.
   */
  batch?: { messages: number; bytes: number };
  /** IMAP connections a folder's first sync fetches over at once (incremental runs use one). Default 4. */
  connectionsPerMailbox?: number;
  /** Larger messages are recorded with their headers only. Default 50 MB. */
  maxMessageBytes?: number;
  /** How long a lease lasts without renewal; a crashed worker's accounts are free again after this. Default 2 min. */
  leaseMs?: number;
  /** Pause after a successful sync before the account is due again. Default 1 min. */
  intervalMs?: number;
  onProgress?(event: SyncProgress): void;
}

/** A mailbox read through Microsoft Graph: who it is to Graph, where Graph is, and its token. */
export interface GraphMailbox {
  /** `/users/{mailbox}`: the address (or user id). */
  mailbox: string;
  /** `CloudEndpoints.graphBaseUrl`: the cloud's Graph origin or the configured override. */
  baseUrl: string;
  /** Throws TokenError (an ExplainedFault); `forceRefresh` after Graph refused the cached token. */
  token: GraphTokenSource;
}

export type SyncProgress =
  | { type: 'account-started'; accountId: string; address: string }
  | {
      type: 'batch-stored';
      accountId: string;
      address: string;
      folder: string;
      /** Messages stored so far in this run (all folders), and their bytes. */
      fetched: number;
      bytes: number;
      /** Messages this folder had beyond the watermark when the run began: the "~m" of "n of ~m". */
      pending: number;
    }
  | { type: 'account-finished'; report: AccountSyncReport };

/** Why an account's sync failed (or the warning it ended with): recorded on the account and in its report. */
export interface SyncFailure {
  code: string;
  /** A sentence for people, never a library's raw message. */
  message: string;
  hint?: string;
  scope: ErrorScope;
  retryAfterMs?: number;
  /** For the log only. */
  raw?: string;
}

export interface AccountSyncReport {
  accountId: string;
  address: string;
  fetched: number;
  bytes: number;
  durationMs: number;
  outcome: AccountOutcome;
  /** What a report may show of its failure: the log keeps the rest. */
  error?: Pick<SyncFailure, 'code' | 'message' | 'hint'>;
  /** When the account is due again; null when it waits for people (re-authentication) or another worker. */
  nextAttemptAt: Date | null;
}

export interface SyncReport {
  startedAt: Date;
  durationMs: number;
  accounts: AccountSyncReport[];
}

export interface SyncOptions {
  /** Only these accounts, even if not due yet ("sync now"). */
  accountIds?: string[];
  trigger: SyncTrigger;
}

/** The resolved settings an account's sync runs with. */
export interface SyncLimits {
  connectionsPerMailbox: number;
  batchMessages: number;
  batchBytes: number;
  maxMessageBytes: number;
  leaseMs: number;
  intervalMs: number;
}
