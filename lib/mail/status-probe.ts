import 'server-only';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { ImapLogin } from '@/lib/mail/imap';
import { decodeMailboxName, quoteMailboxName, sameMailbox } from '@/lib/mail/mailbox-name';

/**
 * The idle check's whole IMAP conversation, in three round trips after TCP/TLS: the greeting, `AUTHENTICATE
 * XOAUTH2 <initial response>`, then every folder's STATUS and LOGOUT written at once.
 *
 * - SASL-IR (RFC 4959): the credentials travel on the AUTHENTICATE line, no `+` continuation round trip.
 *   Exchange Online announces `SASL-IR` before login (imapsync/imapsync#368 and jstedfast/MailKit#290 protocol
 *   logs: `IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR ...`) but sends no capabilities in its greeting
 *   (simonrob/email-oauth2-proxy#109: `* OK The Microsoft Exchange IMAP4 service is ready. [...]`), so asking
 *   would cost a round trip: the probe sends the initial response and treats anything but a tagged OK (a `+`
 *   continuation, a BAD from a server without SASL-IR) as "unknown". A greeting that does list capabilities
 *   without SASL-IR and AUTH=XOAUTH2 is not tried at all.
 * - Pipelining (RFC 3501 §5.5, RFC 9051 §5.5): "the client MAY send another command without waiting for the
 *   completion result response of a command", barring commands whose results could be ambiguous; STATUS of
 *   distinct mailboxes and LOGOUT do not depend on one another. Nothing is pipelined behind AUTHENTICATE: the
 *   state change is waited for, as §5.5 asks of commands that change state.
 *
 * Anything unexpected (a BYE, NO or BAD, an untagged response other than STATUS/CAPABILITY, odd syntax, a missing
 * item, the connection ending early, the timeout) gives "unknown": the caller then syncs through imapflow as it
 * always did, and that path reports whatever went wrong. The probe never guesses.
 */

export interface FolderCounters {
  uidValidity: number;
  uidNext: number;
  messages: number;
}

export type ProbeResult =
  | { kind: 'status'; folders: Map<string, FolderCounters> }
  | { kind: 'unknown'; reason: string; authRejected?: boolean };

const PROBE_TIMEOUT_MS = 15_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

class Unknown extends Error {
  constructor(
    readonly reason: string,
    readonly authRejected = false,
  ) {
    super(reason);
  }
}

export async function probeFolderStatus(
  login: ImapLogin,
  folders: readonly string[],
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  if (folders.length === 0) return { kind: 'unknown', reason: 'no folders' };
  const socket = login.tls
    ? connectTls({ host: login.host, port: login.port, servername: login.host, rejectUnauthorized: true })
    : connectTcp({ host: login.host, port: login.port });
  socket.setNoDelay(true);
  const reader = new ResponseReader(socket);
  const timer = setTimeout(() => reader.fail(new Unknown('timeout')), timeoutMs);
  try {
    return { kind: 'status', folders: await converse(socket, reader, login, folders) };
  } catch (error) {
    if (error instanceof Unknown) return { kind: 'unknown', reason: error.reason, authRejected: error.authRejected };
    return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

async function converse(
  socket: Socket,
  reader: ResponseReader,
  login: ImapLogin,
  folders: readonly string[],
): Promise<Map<string, FolderCounters>> {
  const greeting = await reader.next();
  if (!/^\* OK( |$)/i.test(greeting)) throw new Unknown(`greeting: ${greeting.slice(0, 80)}`);
  const listed = /^\* OK \[CAPABILITY ([^\]]*)\]/i.exec(greeting);
  if (listed) {
    const caps = new Set((listed[1] ?? '').toUpperCase().split(/\s+/));
    if (!caps.has('SASL-IR') || !caps.has('AUTH=XOAUTH2')) throw new Unknown('no SASL-IR or XOAUTH2');
  }

  // XOAUTH2's initial response (learn: exchange/client-developer/legacy-protocols/
  // how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth, "SASL XOAUTH2").
  const xoauth2 = Buffer.from(`user=${login.user}\x01auth=Bearer ${login.accessToken}\x01\x01`).toString('base64');
  socket.write(`P1 AUTHENTICATE XOAUTH2 ${xoauth2}\r\n`);
  for (;;) {
    const line = await reader.next();
    if (/^\* CAPABILITY /i.test(line)) continue;
    if (/^P1 OK( |$)/i.test(line)) break;
    if (/^P1 NO( |$)/i.test(line)) throw new Unknown('authentication rejected', true);
    throw new Unknown(`authenticate: ${line.slice(0, 80)}`);
  }

  const tags = folders.map((_, i) => `P${i + 2}`);
  const logoutTag = `P${folders.length + 2}`;
  socket.write(
    folders
      .map((folder, i) => `${tags[i]} STATUS ${quoteMailboxName(folder)} (UIDNEXT UIDVALIDITY MESSAGES)\r\n`)
      .join('') + `${logoutTag} LOGOUT\r\n`,
  );
  const found = new Map<string, FolderCounters>();
  const done = new Set<string>();
  for (;;) {
    // Every STATUS answered: the counters are complete whether or not LOGOUT's answer arrives before the close.
    const line = done.size === folders.length ? await reader.next().catch(() => undefined) : await reader.next();
    if (line === undefined) break;
    if (/^\* STATUS /i.test(line)) {
      const status = parseStatus(line.slice('* STATUS '.length));
      const folder = folders.find((name) => sameMailbox(name, status.name));
      if (folder === undefined || found.has(folder)) throw new Unknown(`unasked STATUS: ${status.name}`);
      found.set(folder, status.counters);
      continue;
    }
    if (/^\* BYE( |$)/i.test(line) && done.size === folders.length) continue; // LOGOUT's own BYE
    const tagged = /^(P\d+) (OK|NO|BAD)( |$)/i.exec(line);
    if (!tagged || !(tags.includes(tagged[1] as string) || tagged[1] === logoutTag))
      throw new Unknown(`unexpected: ${line.slice(0, 80)}`);
    if ((tagged[2] as string).toUpperCase() !== 'OK') throw new Unknown(`refused: ${line.slice(0, 80)}`);
    if (tagged[1] === logoutTag) {
      if (done.size !== folders.length) throw new Unknown('LOGOUT answered before STATUS');
      break;
    }
    const folder = folders[tags.indexOf(tagged[1] as string)] as string;
    if (!found.has(folder)) throw new Unknown(`STATUS ${folder} completed without its counters`);
    done.add(tagged[1] as string);
  }
  if (found.size !== folders.length || done.size !== folders.length) throw new Unknown('incomplete STATUS answers');
  return found;
}

/**
 * `mailbox SP "(" status-att-list ")"` (RFC 3501 §7.2.4, formal syntax `mailbox-data`): the name as an atom, a
 * quoted string or a literal (the reader inlines a literal's bytes after its `{n}` line), then number pairs.
 * UIDNEXT, UIDVALIDITY and MESSAGES must each be there exactly once.
 */
export function parseStatus(rest: string): { name: string; counters: FolderCounters } {
  let i = 0;
  let wire: string;
  const literal = /^\{(\d+)\}\r\n/.exec(rest);
  if (rest.startsWith('"')) {
    wire = '';
    for (i = 1; ; i += 1) {
      const char = rest[i];
      if (char === undefined) throw new Unknown('unterminated quoted name');
      if (char === '"') break;
      if (char === '\\') {
        i += 1;
        const escaped = rest[i];
        if (escaped !== '\\' && escaped !== '"') throw new Unknown('bad escape in quoted name');
        wire += escaped;
      } else wire += char;
    }
    i += 1;
  } else if (literal) {
    const length = Number(literal[1]);
    wire = rest.slice(literal[0].length, literal[0].length + length);
    if (wire.length !== length) throw new Unknown('short literal');
    i = literal[0].length + length;
  } else {
    const atom = /^[^\s(){%*"\\\]]+/.exec(rest);
    if (!atom) throw new Unknown('bad mailbox name');
    wire = atom[0];
    i = wire.length;
  }
  const name = decodeMailboxName(wire);
  if (name === undefined) throw new Unknown('mailbox name is not modified UTF-7');
  const list = /^ \(((?:[A-Za-z]+ \d+(?: [A-Za-z]+ \d+)*)?)\)$/.exec(rest.slice(i));
  if (!list) throw new Unknown('bad STATUS item list');
  const items = new Map<string, number>();
  const parts = (list[1] ?? '').split(' ').filter(Boolean);
  for (let j = 0; j < parts.length; j += 2) {
    const key = (parts[j] as string).toUpperCase();
    if (items.has(key)) throw new Unknown(`repeated ${key}`);
    items.set(key, Number(parts[j + 1]));
  }
  const uidValidity = items.get('UIDVALIDITY');
  const uidNext = items.get('UIDNEXT');
  const messages = items.get('MESSAGES');
  if (uidValidity === undefined || uidNext === undefined || messages === undefined)
    throw new Unknown('STATUS lacks an item');
  return { name, counters: { uidValidity, uidNext, messages } };
}

/** Splits the server's bytes into responses: a line, with any `{n}` literal's bytes and the line after inlined. */
class ResponseReader {
  private buffer = Buffer.alloc(0);
  private waiting: { resolve(line: string): void; reject(error: Error): void } | undefined;
  private failure: Error | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      if (this.buffer.length > MAX_RESPONSE_BYTES) this.fail(new Unknown('response too long'));
      this.pump();
    });
    socket.on('error', (error) => this.fail(new Unknown(`socket: ${error.message}`)));
    socket.on('close', () => this.fail(new Unknown('connection closed')));
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.pump();
    });
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.pump();
  }

  private pump(): void {
    if (!this.waiting) return;
    const response = this.take();
    const waiting = this.waiting;
    if (response !== undefined) {
      this.waiting = undefined;
      waiting.resolve(response);
    } else if (this.failure) {
      this.waiting = undefined;
      waiting.reject(this.failure);
    }
  }

  private take(): string | undefined {
    let at = 0;
    for (;;) {
      const newline = this.buffer.indexOf('\r\n', at, 'latin1');
      if (newline < 0) return undefined;
      const literal = /\{(\d+)\}$/.exec(this.buffer.toString('latin1', at, newline));
      if (!literal) {
        const response = this.buffer.toString('latin1', 0, newline);
        this.buffer = this.buffer.subarray(newline + 2);
        return response;
      }
      const end = newline + 2 + Number(literal[1]);
      if (this.buffer.length < end) return undefined;
      at = end;
    }
  }
}
