/**
 * A bare IMAP conversation for harness tests that must see Exchange's exact lines (imapflow hides them).
 */
import { connect, type Socket } from 'node:net';
import { LOOPBACK } from './loopback';

export class RawImap {
  private buffer = '';
  private waiters: Array<() => void> = [];
  private closedFlag = false;
  private tagCount = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<{ imap: RawImap; greeting: string }> {
    const socket = connect({ host: LOOPBACK, port });
    const imap = new RawImap(socket);
    const greeting = await imap.until((text) => text.includes('\r\n'));
    imap.buffer = '';
    return { imap, greeting: greeting.trim() };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Sends `<tag> <command>` and returns every line up to and including the tagged answer (or the close). */
  async command(command: string): Promise<string[]> {
    this.tagCount += 1;
    const tag = `T${this.tagCount}`;
    this.socket.write(`${tag} ${command}\r\n`);
    return this.upTo(tag);
  }

  /** Lines that arrive without a command (a BYE), until the server closes. */
  async rest(): Promise<string[]> {
    await this.until(() => false);
    return this.buffer.split('\r\n').filter(Boolean);
  }

  /** The next whole line from the server, however it came (an IDLE's continuation, an untagged EXISTS). */
  async next(): Promise<string> {
    const text = await this.until((all) => all.includes('\r\n'));
    const cut = text.indexOf('\r\n');
    this.buffer = text.slice(cut + 2);
    return text.slice(0, cut);
  }

  /** Every line up to and including the one tagged `tag` (a command sent with send()). */
  async upTo(tag: string): Promise<string[]> {
    const text = await this.until((all) => new RegExp(`(^|\\r\\n)${tag} [^\\r\\n]*\\r\\n`).test(all));
    const end = text.search(new RegExp(`(^|\\r\\n)${tag} `));
    const cut = text.indexOf('\r\n', end + 2) + 2;
    this.buffer = text.slice(cut);
    return text.slice(0, cut).split('\r\n').filter(Boolean);
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  close(): void {
    this.socket.destroy();
  }

  private async until(done: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.buffer)) {
      if (this.closedFlag) return this.buffer;
      if (Date.now() > deadline) throw new Error(`No answer; so far: ${JSON.stringify(this.buffer.slice(-300))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return this.buffer;
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

export function xoauth2(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
}
