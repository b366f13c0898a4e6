import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '@/lib/logger';
import { closeImapConnection, type ImapConnection } from '@/lib/mail/imap';
import { MailSession } from '@/lib/sync/mail-session';
import type { SyncAccount, SyncDeps } from '@/lib/sync/types';

/**
 * How often an IDLE is ended (DONE) and issued again. RFC 2177 §3: clients "re-issue it at least every 29
 * minutes to avoid being logged off" (https://datatracker.ietf.org/doc/rfc2177/). Exchange logs off an idle
 * authenticated IMAP connection after 1,800 s by default ("Set connection time-out limits for IMAP4", applies to
 * Exchange Online: https://technet.microsoft.com/en-us/library/aa998665); Exchange Online's own value is not
 * published and cannot be changed. Clients report Exchange Online going quiet on IDLEs long before that and
 * re-issue every 10 minutes (eclipse-ee4j/angus-mail#176): 10 minutes stays clear of both.
 */
export const IDLE_RESTART_MS = 10 * 60_000;

/**
 * Silence on a watch connection before it counts as dead. Past the IDLE restart, so the restart's DONE and IDLE
 * are what keeps it from firing; a link that died quietly (no RST) is found within two restarts.
 */
const WATCH_SOCKET_TIMEOUT_MS = IDLE_RESTART_MS + 60_000;

/** A connection that held this long was fine: the next drop starts the backoff over. */
const STABLE_CONNECTION_MS = 30_000;

export interface ReconnectBackoff {
  firstMs: number;
  maxMs: number;
}

export const RECONNECT_BACKOFF: ReconnectBackoff = { firstMs: 1_000, maxMs: 60_000 };

export interface InboxWatchOptions {
  account: SyncAccount;
  /** Fresh per connection: tokens from the account's sign-in, the endpoint of its cloud. */
  deps(): SyncDeps;
  /** INBOX may hold mail not synced yet: on every (re)connect, and on each EXISTS that grew. */
  onNewMail(): void;
  /** Runs each sign-in (the pool's: a few at a time); default at once. */
  signIn?<T>(open: () => Promise<T>): Promise<T>;
  signal: AbortSignal;
  idleRestartMs?: number;
  backoff?: ReconnectBackoff;
}

export type WatchEnd = 'stopped' | 'unsupported';

/**
 * Holds an IMAP IDLE on one mailbox's INBOX until `signal` aborts, across token lifetimes and broken links:
 * signs in again before the token expires, at once with a fresh token after Exchange's `* BYE Session
 * invalidated - AccessTokenExpired`, and with growing pauses after a dropped connection or a failed sign-in.
 * None of this touches the account's sync state: a watch that cannot connect leaves the mailbox to polling and
 * counts no failure; the syncs it asks for are the ones that record outcomes. Ends 'unsupported' when the
 * server offers no IDLE.
 */
export async function watchInbox(options: InboxWatchOptions): Promise<WatchEnd> {
  const { account, signal } = options;
  const backoff = options.backoff ?? RECONNECT_BACKOFF;
  const log = logger('watch');
  let failures = 0;
  let forceRefresh = false;
  while (!signal.aborted) {
    let session: MailSession | undefined;
    let ended: IdleEnd = 'closed';
    let connectedAt: number | undefined;
    try {
      const deps = options.deps();
      const refresh = forceRefresh;
      const endpoint = await deps.imapEndpoint(account);
      const signIn = options.signIn ?? ((open) => open());
      session = await signIn(() =>
        MailSession.open(
          {
            deps,
            account,
            endpoint,
            onStage: () => {},
            now: deps.tokenClock ?? Date.now,
            timeouts: {
              maxIdleTimeMs: options.idleRestartMs ?? IDLE_RESTART_MS,
              socketTimeoutMs: Math.max(WATCH_SOCKET_TIMEOUT_MS, (options.idleRestartMs ?? 0) + 60_000),
            },
          },
          refresh,
        ),
      );
      forceRefresh = false;
      const client = session.client;
      if (!client.capabilities.has('IDLE')) return 'unsupported';
      await client.mailboxOpen('INBOX', { readOnly: true });
      client.on('exists', (event: { count: number; prevCount: number }) => {
        if (event.count > event.prevCount) options.onNewMail();
      });
      connectedAt = Date.now();
      options.onNewMail();
      ended = await idleUntil(client, session.renewAt, signal);
      if (ended === 'closed' && isTokenExpiredBye(client.byeReason)) {
        log.info({ accountId: account.id }, 'watch session token expired; signing in again');
        forceRefresh = true;
      }
    } catch (error) {
      log.warn({ err: error, accountId: account.id }, 'watch connection failed');
    } finally {
      if (session) await session.close().catch(() => {});
    }
    if (signal.aborted) break;
    // A session renewed on time signs in again at once, and so does the first one Exchange ended for its token;
    // anything else waits longer each time, until a connection holds for a while.
    if (ended === 'due') continue;
    if (connectedAt !== undefined && Date.now() - connectedAt >= STABLE_CONNECTION_MS) failures = 0;
    failures += 1;
    if (forceRefresh && failures === 1) continue;
    const wait = Math.min(backoff.maxMs, backoff.firstMs * 2 ** (failures - 1));
    await sleep(wait * (0.5 + Math.random() / 2), undefined, { signal }).catch(() => {});
  }
  return 'stopped';
}

type IdleEnd = 'closed' | 'due' | 'stopped';

/**
 * IDLEs (imapflow re-issues it every `maxIdleTime`) until the connection closes, the token is due for renewal
 * or `signal` aborts; the latter two log out politely.
 */
async function idleUntil(client: ImapConnection, renewAt: number, signal: AbortSignal): Promise<IdleEnd> {
  let end: IdleEnd | undefined;
  const finish = (reason: IdleEnd) => {
    end ??= reason;
    if (reason !== 'closed') void closeImapConnection(client);
  };
  const onAbort = () => finish('stopped');
  signal.addEventListener('abort', onAbort);
  const onClose = () => finish('closed');
  client.on('close', onClose);
  const dueIn = renewAt - Date.now();
  // setTimeout holds at most 2^31-1 ms (about 24.8 days); an unknown expiry never renews.
  const timer = Number.isFinite(dueIn)
    ? setTimeout(() => finish('due'), Math.min(Math.max(0, dueIn), 2 ** 31 - 1))
    : undefined;
  try {
    while (end === undefined && client.usable) {
      await client.idle();
      // An IDLE the server ended on a live connection is issued again, after a breath so a server that refuses
      // it over and over does not spin.
      if (end === undefined && client.usable) await sleep(1_000);
    }
    return end ?? 'closed';
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    client.off('close', onClose);
  }
}

function isTokenExpiredBye(reason: string | undefined): boolean {
  return /AccessTokenExpired|Session invalidated/i.test(reason ?? '');
}
