/**
 * Exchange Online's IMAP personality in front of Dovecot: the capability list, login answers, session end on
 * token expiry, throttling, size estimates, the IMAP4rev2 variant, messages that do not come back, argument
 * errors and link shaping. Dovecot keeps the mail; this proxy makes it speak like outlook.office365.com.
 * Facts and sources: ./exchange-protocol.ts and ./README.md (## IMAP).
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { LOOPBACK } from './loopback';
import { endTogether, isShaped, ShapedWriter, type LinkShape } from './link-shaper';
import { ExchangeSession } from './exchange-session';
import { IDLE_TIMEOUT_MS } from './exchange-protocol';

export interface ExchangeImapSettings {
  /** `rev2`: the capability list some tenants announce since September 2026, with its broken SEARCH. */
  variant: 'rev1' | 'rev2';
  /**
   * Commands per authenticated connection before `Request is throttled`; undefined for no budget. With
   * `connectionsPerMailbox`, a mailbox's connections beyond that many (the newest) are throttled on their next
   * command as well: Exchange Online caps concurrent IMAP connections per mailbox (20, Exchange Online throttling
   * and limits FAQ, blogs.msdn.microsoft.com/exchangedev/2011/06/23) without documenting which connection it
   * refuses; the stand-in refuses the newest, the stricter case for a client that opened them last.
   */
  throttle?: { afterCommands: number; backoffMs: number; connectionsPerMailbox?: number };
  /** RFC822.SIZE as Exchange estimates it (true) or Dovecot's exact size (false). */
  sizeEstimate: boolean;
  link?: LinkShape;
  /** Bench only: pass LOGIN and AUTHENTICATE PLAIN to Dovecot (mbsync's static password). */
  allowPasswordLogin: boolean;
  /** How often an authenticated session re-checks its token at the emulator. */
  tokenCheckMs: number;
  /** An authenticated session that sends no command this long is logged off (Exchange: 30 minutes). */
  idleTimeoutMs: number;
  /** Capabilities left out of the lists (a server without IDLE, say); Exchange Online announces them all. */
  withoutCapabilities: string[];
}

export interface ExchangeImapOptions extends Partial<ExchangeImapSettings> {
  targetPort: number;
  emulatorUrl: string;
  /** Fixed listening port (npm run harness); default a free one. */
  port?: number;
}

/** Messages addressed as mailbox (primary address) + folder + UID. */
export type MessageKey = { mailbox: string; folder: string; uid: number };

export interface ExchangeImap {
  port: number;
  settings: ExchangeImapSettings;
  /** Listed by UID SEARCH and ranges, but UID FETCH returns nothing for it (jstedfast/MailKit#1615). */
  unfetchable: MessageKeys;
  /** Served as Exchange's "Retrieval using the IMAP4 protocol failed" placeholder (Foundry376/Mailspring#2038). */
  placeholder: MessageKeys;
  /** `commands`: tagged commands clients sent (imapflow waits for each answer: one round trip apiece). */
  stats: {
    connections: number;
    commands: number;
    /** The same commands by name (`UID SEARCH`, `SELECT`, …): which round trips a run spent. */
    byCommand: Record<string, number>;
    expiredByes: number;
    throttled: number;
    argumentErrors: number;
    idleTimeouts: number;
  };
  /** Each mailbox's authenticated sessions, oldest first (for the per-mailbox connection cap). */
  sessions: Map<string, object[]>;
  close(): Promise<void>;
}

export class MessageKeys {
  private readonly keys = new Set<string>();
  add(key: MessageKey): void {
    this.keys.add(MessageKeys.id(key));
  }
  delete(key: MessageKey): void {
    this.keys.delete(MessageKeys.id(key));
  }
  clear(): void {
    this.keys.clear();
  }
  has(key: MessageKey): boolean {
    return this.keys.has(MessageKeys.id(key));
  }
  private static id(key: MessageKey): string {
    const folder = key.folder.toUpperCase() === 'INBOX' ? 'INBOX' : key.folder;
    return `${key.mailbox.toLowerCase()}\n${folder}\n${key.uid}`;
  }
}

export async function startExchangeImap(options: ExchangeImapOptions): Promise<ExchangeImap> {
  const sockets = new Set<Socket>();
  const personality: ExchangeImap = {
    port: 0,
    settings: {
      variant: options.variant ?? 'rev1',
      throttle: options.throttle,
      sizeEstimate: options.sizeEstimate ?? true,
      link: options.link,
      allowPasswordLogin: options.allowPasswordLogin ?? false,
      tokenCheckMs: options.tokenCheckMs ?? 1_000,
      idleTimeoutMs: options.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
      withoutCapabilities: options.withoutCapabilities ?? [],
    },
    unfetchable: new MessageKeys(),
    placeholder: new MessageKeys(),
    stats: {
      connections: 0,
      commands: 0,
      byCommand: {},
      expiredByes: 0,
      throttled: 0,
      argumentErrors: 0,
      idleTimeouts: 0,
    },
    sessions: new Map(),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
  const server = createServer((client) => {
    personality.stats.connections += 1;
    client.setNoDelay(true);
    const upstream = connect({ host: LOOPBACK, port: options.targetPort });
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const link = personality.settings.link;
    const toClient = isShaped(link) ? new ShapedWriter(link, (chunk) => client.write(chunk)) : undefined;
    // The client's bytes are delayed on their way in, so answers the personality gives itself pay the round trip too.
    const fromClient = isShaped(link) ? new ShapedWriter(link, (chunk) => session.fromClient(chunk)) : undefined;
    const session = new ExchangeSession(personality, options.emulatorUrl, {
      toClient: (chunk) => (toClient ? toClient.send(chunk) : client.write(chunk)),
      toServer: (chunk) => upstream.write(chunk),
      end: async () => {
        await toClient?.drained();
        client.end();
        upstream.destroy();
      },
    });
    upstream.on('data', (chunk: Buffer) => session.fromServer(chunk));
    client.on('data', (chunk: Buffer) => (fromClient ? fromClient.send(chunk) : session.fromClient(chunk)));
    const cut = (): void => {
      session.dispose();
      toClient?.close();
      fromClient?.close();
      client.destroy();
      upstream.destroy();
    };
    // The client's last bytes (a BYE) may still be queued by the shaper; closing the client waits for them.
    endTogether(client, upstream, { sockets, cut, pending: (closed) => (closed === upstream ? toClient : undefined) });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, LOOPBACK, () => resolve()));
  personality.port = (server.address() as AddressInfo).port;
  return personality;
}
