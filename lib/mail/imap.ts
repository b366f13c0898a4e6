import 'server-only';
import { ImapFlow, type Logger as ImapLogger } from 'imapflow';
import { logger } from '@/lib/logger';

export interface ImapEndpoint {
  host: string;
  port: number;
  /** false only for the loopback test harness: plaintext, no STARTTLS. */
  tls: boolean;
}

export interface ImapLogin extends ImapEndpoint {
  /** The IMAP login user: the mailbox address, or the shared mailbox a delegate opens. */
  user: string;
  accessToken: string;
}

export type ImapConnection = ImapFlow;

const CONNECT_TIMEOUT_MS = 20_000;
const GREETING_TIMEOUT_MS = 15_000;
// A FETCH of a 50 MB message over a slow link still sends data continuously; silence this long is a dead link.
const SOCKET_TIMEOUT_MS = 120_000;

// imapflow waits out Exchange's "Suggested Backoff Time" itself (up to 5 minutes) before failing the command.
// A sync would rather give the slot back and come back when Microsoft said: longer waits end the session.
const MAX_INLINE_THROTTLE_WAIT_MS = 5_000;

const throttles = new WeakMap<ImapFlow, { delayMs: number; text: string }>();

/** How a long-lived connection (an IMAP IDLE watch) differs from a sync's. */
export interface ImapTimeouts {
  /** Silence after which the link counts as dead (imapflow probes an idling connection with NOOP first). */
  socketTimeoutMs?: number;
  /** An IDLE is ended with DONE and issued again after this long. */
  maxIdleTimeMs?: number;
}

/** Opens an authenticated IMAP session with XOAUTH2 (what Exchange Online offers). */
export async function openImapConnection(login: ImapLogin, timeouts: ImapTimeouts = {}): Promise<ImapConnection> {
  const client: ImapFlow = new ImapFlow({
    host: login.host,
    port: login.port,
    secure: login.tls,
    // Plaintext is only ever asked for on loopback; never silently upgrade or downgrade otherwise.
    doSTARTTLS: login.tls ? undefined : false,
    tls: login.tls ? { rejectUnauthorized: true, servername: login.host } : undefined,
    auth: { user: login.user, accessToken: login.accessToken },
    logger: imapLogger((delayMs, text) => endThrottledSession(client, delayMs, text)),
    disableAutoIdle: true,
    // Some Exchange Online tenants announce ENABLE IMAP4rev2 with a broken implementation (its SEARCH fails,
    // jstedfast/MailKit#2016); the sync needs nothing from rev2, so it stays on IMAP4rev1 everywhere.
    disableIMAP4rev2: true,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: timeouts.socketTimeoutMs ?? SOCKET_TIMEOUT_MS,
    maxIdleTime: timeouts.maxIdleTimeMs,
    clientInfo: { name: 'Mailgate 365' },
  });
  // imapflow emits 'error' for socket failures after connect; the failing command rejects as well.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw throttledError(client) ?? error;
  }
  return client;
}

/**
 * The error to explain for a failed command: when the session was ended because Exchange throttled it, an
 * ETHROTTLE error with the suggested wait instead of the "connection closed" the command saw.
 */
export function imapFailure(client: ImapConnection | undefined, error: unknown): unknown {
  return (client && throttledError(client)) ?? error;
}

function endThrottledSession(client: ImapFlow, delayMs: number, text: string): void {
  // Exchange closes the connection right after the throttling answer (`* BYE Connection closed. 14`,
  // simonrob/email-oauth2-proxy#191): whatever the command ends with, the throttle is the reason to report.
  throttles.set(client, { delayMs, text });
  if (delayMs <= MAX_INLINE_THROTTLE_WAIT_MS) return;
  // After the current tick imapflow has started its wait, which close() aborts.
  setImmediate(() => client.close());
}

function throttledError(client: ImapFlow): Error | undefined {
  const throttle = throttles.get(client);
  if (!throttle) return undefined;
  return Object.assign(new Error(throttle.text), {
    code: 'ETHROTTLE',
    throttleReset: throttle.delayMs,
    responseText: throttle.text,
  });
}

const listedFolders = new WeakSet<ImapFlow>();

/**
 * SELECT (or EXAMINE) a folder. imapflow first lists a folder it has not seen on the connection, and without
 * `listOnly` that is LIST and LSUB: two round trips per folder. One `LIST "" "*"` without subscriptions fills its
 * folder cache for every folder the session opens, in one. A folder it does not list is listed again by
 * `mailboxOpen`, whose SELECT then fails as before (a missing folder).
 */
export async function openFolder(
  client: ImapConnection,
  folder: string,
  options: { readOnly: boolean },
): ReturnType<ImapConnection['mailboxOpen']> {
  if (!listedFolders.has(client)) {
    listedFolders.add(client);
    await client.list({ listOnly: true });
  }
  return client.mailboxOpen(folder, options);
}

/** Logs out politely; a connection that is already broken is just closed. */
export async function closeImapConnection(client: ImapConnection): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  try {
    await Promise.race([client.logout(), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  } catch {
    // Logging out of a dying connection fails; nothing is lost.
  } finally {
    client.close();
  }
}

interface ThrottleWarning {
  msg?: unknown;
  throttleDelay?: unknown;
  err?: { responseText?: unknown };
}

/** imapflow's chatter goes to `logger('imap')` at debug; its throttling warning is also acted on. */
function imapLogger(onThrottle: (delayMs: number, text: string) => void): ImapLogger {
  const log = logger('imap');
  const debug = log.isLevelEnabled('debug');
  return {
    debug: (obj: unknown) => debug && log.debug(obj),
    info: (obj: unknown) => debug && log.debug(obj),
    warn: (obj: unknown) => {
      const warning = (obj ?? {}) as ThrottleWarning;
      if (warning.msg === 'Throttling detected' && typeof warning.throttleDelay === 'number') {
        const text = typeof warning.err?.responseText === 'string' ? warning.err.responseText : 'Request is throttled.';
        onThrottle(warning.throttleDelay, text);
      }
      log.warn(obj);
    },
    error: (obj: unknown) => log.error(obj),
  };
}
