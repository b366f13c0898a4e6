/**
 * One client connection of the Exchange personality: reads the client's commands line by line (literals pass
 * through as they arrive, so synchronising literals never deadlock), answers what Exchange answers itself,
 * forwards the rest to Dovecot, and rewrites Dovecot's responses into Exchange's.
 */
import {
  ARGUMENT_ERROR,
  EXCHANGE_ID,
  AUTH_FAILED,
  AUTH_OK,
  badCharset,
  CONNECTION_CLOSED_BYE,
  estimatedSize,
  IDLE_TIMEOUT_BYE,
  LOGIN_FAILED,
  NOT_CONNECTED,
  POST_AUTH_CAPABILITIES,
  PRE_AUTH_CAPABILITIES,
  retrievalFailedPlaceholder,
  REV2_POST_AUTH_CAPABILITIES,
  REV2_PRE_AUTH_CAPABILITIES,
  throttledLines,
  TOKEN_EXPIRED_BYE,
  unsupported,
} from './exchange-protocol';
import type { ExchangeImap } from './exchange-imap';
import { firstLine, ImapSplitter, literalBytes, serialize, type ImapUnit, type Segment } from './imap-stream';

export interface SessionIo {
  toClient(chunk: Buffer): void;
  toServer(chunk: Buffer): void;
  end(): Promise<void>;
}

type Phase = 'pre' | 'authenticated' | 'not-connected' | 'closed';
type Pending = { command: string; searchBroken?: boolean };

const LITERAL_AT_END = /\{(\d+)\+?\}\r?\n$/;
const TIMEOUT_MS = 5_000;

export class ExchangeSession {
  private phase: Phase = 'pre';
  private readonly responses = new ImapSplitter();
  private readonly pending = new Map<string, Pending>();
  // Client side: a line being read, literal bytes still to pass through, whether they belong to a forwarded command.
  private lineParts: Buffer[] = [];
  private literalLeft = 0;
  private forwarding = true;
  private continuing = false;
  private authWaiting: string | undefined;
  private clientQueue: Promise<void> = Promise.resolve();
  private greeted = false;
  private mailbox = '';
  private folder = '';
  private token = '';
  private login = '';
  private commands = 0;
  private strikes = 0;
  private rev2 = false;
  private expired = false;
  private idleTag: string | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly personality: ExchangeImap,
    private readonly emulatorUrl: string,
    private readonly io: SessionIo,
  ) {}

  dispose(): void {
    this.phase = 'closed';
    if (this.checkTimer) clearInterval(this.checkTimer);
    clearTimeout(this.idleTimer);
    const siblings = this.personality.sessions.get(this.mailbox);
    const at = siblings?.indexOf(this) ?? -1;
    if (siblings && at >= 0) siblings.splice(at, 1);
  }

  private register(): void {
    const key = this.mailbox.toLowerCase();
    this.mailbox = key;
    const siblings = this.personality.sessions.get(key) ?? [];
    siblings.push(this);
    this.personality.sessions.set(key, siblings);
  }

  /** Beyond the mailbox's connection cap: this session is among the newest ones over it. */
  private overConnectionCap(cap: number | undefined): boolean {
    if (cap === undefined) return false;
    return (this.personality.sessions.get(this.mailbox) ?? []).indexOf(this) >= cap;
  }

  // ---- client to server -------------------------------------------------------------------------------------

  fromClient(chunk: Buffer): void {
    // Serialised: answering AUTHENTICATE asks the emulator, and later commands must wait for that answer.
    this.clientQueue = this.clientQueue.then(() => this.readClient(chunk)).catch(() => this.close());
  }

  private async readClient(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0 && this.phase !== 'closed') {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, rest.length);
        if (this.forwarding) this.io.toServer(rest.subarray(0, take));
        this.literalLeft -= take;
        rest = rest.subarray(take);
        continue;
      }
      const newline = rest.indexOf(0x0a);
      if (newline < 0) {
        this.lineParts.push(rest);
        return;
      }
      const line = Buffer.concat([...this.lineParts, rest.subarray(0, newline + 1)]).toString('latin1');
      this.lineParts = [];
      rest = rest.subarray(newline + 1);
      if (this.continuing) {
        if (this.forwarding) this.io.toServer(Buffer.from(line, 'latin1'));
      } else {
        this.forwarding = await this.onClientLine(line);
        if (this.forwarding) this.io.toServer(Buffer.from(line, 'latin1'));
      }
      const literal = LITERAL_AT_END.exec(line);
      this.literalLeft = literal ? Number(literal[1]) : 0;
      this.continuing = !!literal;
    }
  }

  /** Handles the first line of a command (or a continuation answer); true when Dovecot should get it. */
  private async onClientLine(line: string): Promise<boolean> {
    if (this.authWaiting !== undefined) {
      const tag = this.authWaiting;
      this.authWaiting = undefined;
      await this.authenticate(tag, line.trim());
      return false;
    }
    const match = /^(\S+)\s+(UID\s+\S+|\S+)\s?(.*?)\r?\n$/i.exec(line);
    if (this.phase === 'authenticated') this.restartIdleTimer();
    if (!match) return true; // DONE after IDLE, and anything else that is not a tagged command
    const tag = match[1] as string;
    const command = (match[2] as string).toUpperCase().replace(/\s+/, ' ');
    this.personality.stats.commands += 1;
    const byCommand = this.personality.stats.byCommand;
    byCommand[command] = (byCommand[command] ?? 0) + 1;
    const args = match[3] as string;

    if (command === 'CAPABILITY') {
      this.answer(`* CAPABILITY ${this.capabilities()}\r\n${tag} OK CAPABILITY completed.\r\n`);
      return false;
    }
    if (this.phase === 'pre') return this.beforeLogin(tag, command, args);
    if (this.phase === 'not-connected') {
      if (command === 'LOGOUT') {
        this.answer(`* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n${tag} OK LOGOUT completed.\r\n`);
        void this.close();
        return false;
      }
      this.strikes += 1;
      this.answer(`${tag} ${NOT_CONNECTED}\r\n${this.strikes >= 2 ? `${CONNECTION_CLOSED_BYE}\r\n` : ''}`);
      if (this.strikes >= 2) void this.close();
      return false;
    }
    return this.afterLogin(tag, command, args);
  }

  private async beforeLogin(tag: string, command: string, args: string): Promise<boolean> {
    const password = this.personality.settings.allowPasswordLogin;
    if (command === 'LOGIN') {
      if (password) this.pending.set(tag, { command });
      else this.answer(`${tag} ${LOGIN_FAILED}\r\n`);
      return password;
    }
    if (command === 'ID') {
      this.answer(`${EXCHANGE_ID}\r\n${tag} OK ID completed.\r\n`);
      return false;
    }
    if (command !== 'AUTHENTICATE') return true;
    const [mechanism = '', initial] = args.trim().split(/\s+/);
    if (mechanism.toUpperCase() !== 'XOAUTH2') {
      // Dovecot's own answers (challenges included) pass through: only XOAUTH2 is Exchange's business here.
      if (password) this.pending.set(tag, { command: 'LOGIN' });
      else this.answer(`${tag} ${AUTH_FAILED}\r\n`);
      return password;
    }
    // Exchange Online announces SASL-IR (PRE_AUTH_CAPABILITIES). A server left without it (`withoutCapabilities`)
    // has only RFC 3501's AUTHENTICATE, whose syntax takes no initial response: an argument error, the strict
    // answer (which words such a server would use is nowhere recorded; Exchange's argument error is used).
    if (initial !== undefined && this.personality.settings.withoutCapabilities.some((c) => /^SASL-IR$/i.test(c))) {
      this.answer(`${tag} ${ARGUMENT_ERROR}\r\n`);
      return false;
    }
    if (initial === undefined) {
      this.authWaiting = tag;
      this.answer('+ \r\n');
      return false;
    }
    await this.authenticate(tag, initial);
    return false;
  }

  /**
   * Exchange decides the login itself: a dead token (expired, revoked, IMAP off, wrong scope) is one answer; a
   * live token naming a mailbox it may not open logs in and then refuses everything.
   */
  private async authenticate(tag: string, response: string): Promise<void> {
    const decoded = Buffer.from(response === '=' ? '' : response, 'base64').toString('utf8');
    const fields = /^user=([^\x01]*)\x01auth=Bearer ([^\x01]+)\x01\x01$/.exec(decoded);
    const user = fields?.[1] ?? '';
    const token = fields?.[2] ?? '';
    const live = token ? await this.tokenIsLive(token, user) : false;
    if (!live) return this.answer(`${tag} ${AUTH_FAILED}\r\n`);
    const access = await this.post<{ allowed: boolean; mailbox?: string }>('/_harness/mailbox-access', {
      token,
      mailbox: user,
    });
    this.token = token;
    this.login = user;
    this.startTokenChecks();
    if (!access.allowed || !access.mailbox) {
      this.phase = 'not-connected';
      return this.answer(`${tag} ${AUTH_OK}\r\n`);
    }
    this.mailbox = access.mailbox;
    this.pending.set(tag, { command: 'AUTHENTICATE' });
    this.io.toServer(Buffer.from(`${tag} AUTHENTICATE XOAUTH2 ${response}\r\n`, 'latin1'));
  }

  private afterLogin(tag: string, command: string, args: string): boolean {
    if (this.expired) {
      void this.endExpired();
      return false;
    }
    if (command !== 'LOGOUT' && command !== 'DONE') {
      this.commands += 1;
      const throttle = this.personality.settings.throttle;
      if (
        throttle &&
        (this.commands > throttle.afterCommands || this.overConnectionCap(throttle.connectionsPerMailbox))
      ) {
        this.personality.stats.throttled += 1;
        this.answer(throttledLines(tag, throttle.backoffMs));
        void this.close();
        return false;
      }
    }
    if (command === 'ENABLE' && this.personality.settings.variant === 'rev2' && /IMAP4REV2/i.test(args)) {
      this.rev2 = true;
      this.answer(`* ENABLED IMAP4rev2\r\n${tag} OK ENABLE completed.\r\n`);
      return false;
    }
    if (badCharset(command, args)) {
      this.answer(`${tag} NO [BADCHARSET (US-ASCII)] The specified charset is not supported.\r\n`);
      return false;
    }
    if (unsupported(command, args)) {
      this.personality.stats.argumentErrors += 1;
      this.answer(`${tag} ${ARGUMENT_ERROR}\r\n`);
      return false;
    }
    if (command === 'SELECT' || command === 'EXAMINE') this.folder = mailboxName(args);
    if (command === 'IDLE') this.idleTag = tag;
    // MailKit#2016: after ENABLE IMAP4rev2 Exchange's SEARCH misbehaves. How exactly is not public; the
    // stricter failure is the silent one (codefuturist/email-mcp#91 on another server): an ESEARCH with no UIDs.
    this.pending.set(tag, { command, searchBroken: this.rev2 && command.endsWith('SEARCH') });
    return true;
  }

  // ---- server to client -------------------------------------------------------------------------------------

  fromServer(chunk: Buffer): void {
    for (const unit of this.responses.push(chunk)) this.onResponse(unit);
  }

  private onResponse(unit: ImapUnit): void {
    if (this.phase === 'closed') return;
    const line = firstLine(unit);
    if (!this.greeted) {
      this.greeted = true;
      return this.answer('* OK The Microsoft Exchange IMAP4 service is ready.\r\n');
    }
    if (line.startsWith('+')) {
      // Dovecot refusing XOAUTH2 sends its JSON error as a challenge; Exchange does not: answer it here.
      if ([...this.pending.values()].some((p) => p.command === 'AUTHENTICATE')) {
        this.io.toServer(Buffer.from('\r\n'));
        return;
      }
      return this.forward(unit);
    }
    if (/^\* CAPABILITY /i.test(line)) return; // only the CAPABILITY this proxy answers itself reaches the client
    if (/^\* OK \[(HIGHESTMODSEQ|NOMODSEQ)\b/i.test(line)) return; // no CONDSTORE
    if (/^\* \d+ FETCH /i.test(line)) return this.onFetch(unit);
    if (/^\* SEARCH\b/i.test(line)) {
      const broken = [...this.pending.entries()].find(([, p]) => p.searchBroken);
      if (broken) return this.answer(`* ESEARCH (TAG "${broken[0]}") UID\r\n`);
    }
    const tagged = /^(\S+) (OK|NO|BAD)\b/i.exec(line);
    const pending = tagged ? this.pending.get(tagged[1] as string) : undefined;
    if (tagged && pending) {
      const tag = tagged[1] as string;
      this.pending.delete(tag);
      if (tag === this.idleTag) this.idleTag = undefined;
      if (pending.command === 'AUTHENTICATE') {
        const ok = (tagged[2] as string).toUpperCase() === 'OK';
        if (ok) {
          this.phase = 'authenticated';
          this.restartIdleTimer();
          this.register();
        }
        this.answer(`${tag} ${ok ? AUTH_OK : AUTH_FAILED}\r\n`);
      } else {
        if (pending.command === 'LOGIN' && /^OK$/i.test(tagged[2] as string)) {
          this.phase = 'authenticated';
          this.restartIdleTimer();
        }
        this.forward(stripCapabilityCode(unit));
      }
      if (this.expired && this.pending.size === 0) void this.endExpired();
      return;
    }
    this.forward(stripCapabilityCode(unit));
  }

  private onFetch(unit: ImapUnit): void {
    const uidMatch = unit.segments
      .map((s) => (s.kind === 'line' ? /[( ]UID (\d+)/i.exec(s.text) : null))
      .find((m) => m !== null);
    const uid = uidMatch ? Number(uidMatch[1]) : undefined;
    if (uid !== undefined) {
      const key = { mailbox: this.mailbox, folder: this.folder, uid };
      if (this.personality.unfetchable.has(key)) return;
      if (this.personality.placeholder.has(key)) return this.forward(withPlaceholder(unit, uid));
    }
    if (!this.personality.settings.sizeEstimate || uid === undefined) return this.forward(unit);
    const segments: Segment[] = unit.segments.map((s) =>
      s.kind === 'line'
        ? {
            kind: 'line',
            text: s.text.replace(
              /RFC822\.SIZE (\d+)/i,
              (_, n: string) => `RFC822.SIZE ${estimatedSize(Number(n), uid)}`,
            ),
          }
        : s,
    );
    this.forward({ segments });
  }

  // ---- idle time-out ------------------------------------------------------------------------------------------

  private restartIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.phase !== 'authenticated') return;
      this.personality.stats.idleTimeouts += 1;
      this.answer(`${IDLE_TIMEOUT_BYE}\r\n`);
      void this.close();
    }, this.personality.settings.idleTimeoutMs);
    this.idleTimer.unref();
  }

  // ---- token lifetime ---------------------------------------------------------------------------------------

  private startTokenChecks(): void {
    this.checkTimer = setInterval(() => {
      void this.tokenIsLive(this.token, this.login).then((live) => {
        if (live || this.phase === 'closed' || this.expired) return;
        this.expired = true;
        // Mid-command the answer finishes first; an idle or IDLE-ing session hears the BYE at once.
        const busy = [...this.pending.keys()].some((tag) => tag !== this.idleTag);
        if (!busy) void this.endExpired();
      });
    }, this.personality.settings.tokenCheckMs);
    this.checkTimer.unref();
  }

  private async endExpired(): Promise<void> {
    if (this.phase === 'closed') return;
    this.personality.stats.expiredByes += 1;
    this.answer(`${TOKEN_EXPIRED_BYE}\r\n`);
    await this.close();
  }

  /**
   * `login` (the XOAUTH2 user=) matters to an app-only token alone: it is live for the mailboxes Exchange lets the app
   * open. Microsoft does not say what a session does when that permission goes; the stand-in ends it at its next
   * check like an expired token, the stricter case.
   */
  private async tokenIsLive(token: string, login: string): Promise<boolean> {
    const answer = await this.post<{ active: boolean }>('/_harness/introspect/imap', { token, mailbox: login }).catch(
      () => ({
        active: true,
      }),
    );
    return answer.active === true;
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------

  private capabilities(): string {
    const rev2 = this.personality.settings.variant === 'rev2';
    const list =
      this.phase === 'pre'
        ? rev2
          ? REV2_PRE_AUTH_CAPABILITIES
          : PRE_AUTH_CAPABILITIES
        : rev2
          ? REV2_POST_AUTH_CAPABILITIES
          : POST_AUTH_CAPABILITIES;
    const without = new Set(this.personality.settings.withoutCapabilities.map((c) => c.toUpperCase()));
    return list
      .split(' ')
      .filter((capability) => !without.has(capability.toUpperCase()))
      .join(' ');
  }

  private answer(text: string): void {
    if (this.phase !== 'closed') this.io.toClient(Buffer.from(text, 'latin1'));
  }

  private forward(unit: ImapUnit): void {
    if (this.phase !== 'closed') for (const part of serialize(unit)) this.io.toClient(part);
  }

  private async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.dispose();
    await this.io.end();
  }

  private async post<T>(path: string, fields: Record<string, string>): Promise<T> {
    const response = await fetch(`${this.emulatorUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return (await response.json()) as T;
  }
}

function mailboxName(args: string): string {
  const quoted = /^\s*"((?:[^"\\]|\\.)*)"/.exec(args);
  const name = quoted ? (quoted[1] as string).replace(/\\(.)/g, '$1') : (args.trim().split(/\s+/)[0] ?? '');
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

/** Exchange sends no `[CAPABILITY ...]` response codes (its greeting and AUTHENTICATE answers carry none). */
function stripCapabilityCode(unit: ImapUnit): ImapUnit {
  const first = unit.segments[0];
  if (first?.kind !== 'line' || !/\[CAPABILITY /i.test(first.text)) return unit;
  return {
    segments: [{ kind: 'line', text: first.text.replace(/\[CAPABILITY [^\]]*\] ?/i, '') }, ...unit.segments.slice(1)],
  };
}

/** The message's bytes (whole, or its header) replaced by Exchange's placeholder, sizes to match. */
function withPlaceholder(unit: ImapUnit, uid: number): ImapUnit {
  const placeholder = retrievalFailedPlaceholder(uid);
  const headerEnd = placeholder.indexOf('\r\n\r\n') + 4;
  const segments: Segment[] = [];
  for (const segment of unit.segments) {
    if (segment.kind === 'literal') {
      const previous = segments[segments.length - 1];
      if (previous?.kind === 'line') {
        const item = /(BODY\[[^\]]*\](?:<\d+>)?|RFC822(?:\.HEADER|\.TEXT)?) \{(\d+)\}\r\n$/i.exec(previous.text);
        if (item) {
          const name = (item[1] as string).toUpperCase();
          const bytes = name.includes('HEADER') ? placeholder.subarray(0, headerEnd) : placeholder;
          previous.text = previous.text.replace(/\{\d+\}\r\n$/, `{${bytes.length}}\r\n`);
          segments.push({ kind: 'literal', parts: [bytes], length: bytes.length });
          continue;
        }
      }
      segments.push({ kind: 'literal', parts: [literalBytes(segment)], length: segment.length });
      continue;
    }
    segments.push({
      kind: 'line',
      text: segment.text.replace(/RFC822\.SIZE \d+/i, `RFC822.SIZE ${placeholder.length}`),
    });
  }
  return { segments };
}
