import 'server-only';
import { closeImapConnection, imapFailure, openImapConnection, type ImapConnection } from '@/lib/mail/imap';
import { explainImapError } from '@/lib/microsoft/errors';
import { logger } from '@/lib/logger';
import { syncFolder, type FolderJob, type FolderResult } from '@/lib/sync/sync-folder';
import type { AccessGrant, SyncAccount, SyncDeps } from '@/lib/sync/types';
import type { ImapEndpoint, ImapTimeouts } from '@/lib/mail/imap';

/**
 * An IMAP session lives only as long as the access token it signed in with: Exchange Online ends it with
 * `* BYE Session invalidated - AccessTokenExpired` (iroco-co/aioimaplib#83, joeyates/imap-backup#198), and IMAP has
 * no way to hand a live session a new token. Access tokens live 60–90 minutes ("a random value ranging between
 * 60-90 minutes", learn: entra/identity-platform/access-tokens, token lifetime), so a long run (a big first sync)
 * signs in again with a fresh token before the old one has less than this much left.
 */
export const RENEW_MARGIN_MS = 10 * 60_000;

/** Consecutive reconnects after AccessTokenExpired without a stored batch in between before the run gives up. */
const MAX_RECONNECTS_WITHOUT_PROGRESS = 2;

/** `string` from callers that do not know the expiry: such sessions are renewed only when Exchange ends them. */
export function toGrant(token: string | AccessGrant): AccessGrant {
  return typeof token === 'string' ? { accessToken: token, expiresOn: null } : token;
}

/**
 * msal hands out a cached token until 5 minutes before its expiry (msal-common's DEFAULT_TOKEN_RENEWAL_OFFSET_SEC,
 * 300), which could leave a session only minutes. A token with less than twice the margin left is refreshed before
 * signing in, so every session starts with at least 20 minutes (a fresh Microsoft token has 60 or more).
 */
export function needsRefreshBeforeLogin(grant: AccessGrant, now: number): boolean {
  return grant.expiresOn !== null && grant.expiresOn.getTime() - now < 2 * RENEW_MARGIN_MS;
}

/**
 * When a session should stop starting work and sign in again: 10 minutes before its token expires, or halfway
 * through the token's remaining life when that is shorter than 20 minutes (only tokens shorter-lived than
 * Microsoft's, such as the stand-in's test tokens, are).
 */
export function renewalTime(grant: AccessGrant, now: number): number {
  if (grant.expiresOn === null) return Number.POSITIVE_INFINITY;
  const left = grant.expiresOn.getTime() - now;
  return now + left - Math.min(RENEW_MARGIN_MS, Math.max(0, left) / 2);
}

/** Exchange's BYE for a session whose token expired (imapflow surfaces it on the failing command). */
export function isSessionExpired(client: ImapConnection | undefined, error: unknown): boolean {
  return explainImapError(imapFailure(client, error)).code === 'imap.session_expired';
}

function isAuthenticationRejection(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { authenticationFailed?: unknown }).authenticationFailed === true
  );
}

export interface SessionOptions {
  deps: SyncDeps;
  account: SyncAccount;
  endpoint: ImapEndpoint;
  /** Told whether a failure from here on is the token's ('token') or the mail server's ('imap'). */
  onStage(stage: 'token' | 'imap'): void;
  /** The clock token expiries are compared with (msal's: the wall clock, `deps.tokenClock`). */
  now(): number;
  /** A watch's connection idles for minutes; a sync's is never quiet that long. */
  timeouts?: ImapTimeouts;
}

/**
 * The account's IMAP session across token lifetimes: opens it, says when it is due for renewal, and renews it
 * (a new login with a fresh token) on time or after Exchange ended it. Renewing is not a failure: the run goes
 * on and no failure is counted; only a renewal that itself fails (a dead sign-in) ends the run.
 */
export class MailSession {
  private constructor(
    private readonly options: SessionOptions,
    private current: ImapConnection,
    private renewAtMs: number,
    private accessToken: string,
  ) {}

  private reconnectsWithoutProgress = 0;

  /** `forceRefresh` after Exchange ended the previous session for its token: the cached one is no good. */
  static async open(options: SessionOptions, forceRefresh = false): Promise<MailSession> {
    // Exchange may reject a cached token before its expiry (revoked sessions, continuous access evaluation):
    // one forced refresh tells a stale token from a dead sign-in, whose refresh then fails as needs_reauth.
    const opened = await login(options, forceRefresh).catch((error: unknown) => {
      if (!forceRefresh && isAuthenticationRejection(error)) return login(options, true);
      throw error;
    });
    return new MailSession(options, opened.client, opened.renewAt, opened.accessToken);
  }

  get client(): ImapConnection {
    return this.current;
  }

  /** When the session is due for renewal (its token near expiry); infinite when the expiry is unknown. */
  get renewAt(): number {
    return this.renewAtMs;
  }

  /** Whether no new batch should start on this session any more: its token is near expiry. */
  isDue(): boolean {
    return this.options.now() >= this.renewAtMs;
  }

  /** A batch was stored since the last reconnect: the run is getting somewhere. */
  madeProgress(): void {
    this.reconnectsWithoutProgress = 0;
  }

  /**
   * Whether to reconnect after `error`: Exchange ended the session for its token, and reconnecting has not
   * already failed to get anywhere twice in a row (a clock or token problem a new login cannot fix).
   */
  shouldReconnect(error: unknown): boolean {
    return isSessionExpired(this.current, error) && this.reconnectsWithoutProgress < MAX_RECONNECTS_WITHOUT_PROGRESS;
  }

  /** Signs in again; `afterExpiry` forces a refresh, since Exchange judged the cached token expired. */
  async renew(afterExpiry: boolean): Promise<void> {
    if (afterExpiry) this.reconnectsWithoutProgress += 1;
    await closeImapConnection(this.current);
    const opened = await login(this.options, afterExpiry);
    this.current = opened.client;
    this.renewAtMs = opened.renewAt;
    this.accessToken = opened.accessToken;
  }

  /** One more connection signed in with the session's token, for fetching in parallel; the caller closes it. */
  openExtraConnection(): Promise<ImapConnection> {
    const { endpoint, account } = this.options;
    return openImapConnection({ ...endpoint, user: account.imapUser, accessToken: this.accessToken });
  }

  async close(): Promise<void> {
    await closeImapConnection(this.current);
  }
}

async function login(
  { deps, account, endpoint, onStage, now, timeouts }: SessionOptions,
  forceRefresh: boolean,
): Promise<{ client: ImapConnection; renewAt: number; accessToken: string }> {
  onStage('token');
  let grant = toGrant(await deps.getAccessToken(account, { forceRefresh }));
  if (!forceRefresh && needsRefreshBeforeLogin(grant, now()))
    grant = toGrant(await deps.getAccessToken(account, { forceRefresh: true }));
  const renewAt = renewalTime(grant, now());
  onStage('imap');
  const client = await openImapConnection(
    { ...endpoint, user: account.imapUser, accessToken: grant.accessToken },
    timeouts,
  );
  return { client, renewAt, accessToken: grant.accessToken };
}

/**
 * Syncs one folder over as many sessions as its token lifetimes need: signs in again when the session is due
 * (between batches) or when Exchange ended it with AccessTokenExpired, and goes on from the watermark. Committed
 * batches stay committed; nothing is counted as a failure.
 */
export async function syncFolderOnSession(
  session: MailSession,
  job: Omit<FolderJob, 'client' | 'sessionDue' | 'openConnection'>,
): Promise<FolderResult> {
  const onBatchStored: FolderJob['onBatchStored'] = (batch, pending) => {
    session.madeProgress();
    job.onBatchStored(batch, pending);
  };
  // The idle check's counters are fresh only for the first attempt; after a renewal the folder asks again.
  let probed = job.probed;
  for (;;) {
    if (session.isDue()) await session.renew(false);
    try {
      const result = await syncFolder({
        ...job,
        probed,
        client: session.client,
        sessionDue: () => session.isDue(),
        openConnection: () => session.openExtraConnection(),
        onBatchStored,
      });
      if (!result.renewSession) return result;
      probed = undefined;
    } catch (error) {
      probed = undefined;
      if (!session.shouldReconnect(error)) throw error;
      logger('sync').info({ accountId: job.account.id, folder: job.folder }, 'session token expired; signing in again');
      await session.renew(true);
    }
  }
}
