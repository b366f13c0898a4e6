/**
 * Writes messages straight into Dovecot's maildirs (fast seeding, SMTP delivery). Files go through tmp/ and are
 * renamed into place (maildir's atomic delivery, safe while a sync runs), are owned by the mail uid, and carry
 * `,S=<size>,W=<wire size>` so Dovecot's first SELECT need not stat or read them.
 */
import { chown, mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { MAIL_GID, MAIL_UID } from './dovecot-config';

export interface MaildirMessage {
  raw: Buffer;
  /** Becomes the file mtime, which Dovecot reports as INTERNALDATE. */
  internalDate?: Date;
  /** IMAP system flags, e.g. ['\\Seen']. */
  flags?: string[];
}

const FLAG_LETTERS: Record<string, string> = {
  '\\Draft': 'D',
  '\\Flagged': 'F',
  '\\Answered': 'R',
  '\\Seen': 'S',
  '\\Deleted': 'T',
};
const WRITE_CONCURRENCY = 32;

export class Maildirs {
  private counter = 0;
  private readonly host = hostname().replace(/[/:]/g, '_');

  constructor(readonly root: string) {}

  /** Maildir++: INBOX is the user folder itself, `A/B` lives in `.A.B`. */
  folderPath(address: string, folder = 'INBOX'): string {
    const home = join(this.root, address.toLowerCase());
    return folder.toUpperCase() === 'INBOX' ? home : join(home, `.${folder.replace(/\//g, '.')}`);
  }

  async ensureFolder(address: string, folder = 'INBOX'): Promise<string> {
    const home = this.folderPath(address);
    const path = this.folderPath(address, folder);
    for (const dir of [this.root, home, path, join(path, 'cur'), join(path, 'new'), join(path, 'tmp')]) {
      await mkdir(dir, { recursive: true });
      await chown(dir, MAIL_UID, MAIL_GID);
    }
    return path;
  }

  /** Delivers like an MTA: into new/, unflagged (Dovecot moves it to cur/ on the next sync). */
  async deliver(address: string, raw: Buffer, folder = 'INBOX'): Promise<string> {
    const path = await this.ensureFolder(address, folder);
    return this.place(path, 'new', { raw });
  }

  /** Bulk seeding into cur/ with flags; the caller's order becomes UID order on the next SELECT. */
  async write(address: string, folder: string, messages: Iterable<MaildirMessage>): Promise<number> {
    const path = await this.ensureFolder(address, folder);
    let written = 0;
    const inFlight = new Set<Promise<unknown>>();
    for (const message of messages) {
      const task: Promise<unknown> = this.place(path, 'cur', message).then(() => inFlight.delete(task));
      inFlight.add(task);
      written += 1;
      if (inFlight.size >= WRITE_CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return written;
  }

  private async place(folderPath: string, sub: 'new' | 'cur', message: MaildirMessage): Promise<string> {
    this.counter += 1;
    // Dovecot numbers new files by the time in their names (seconds, then microseconds): a counter in the
    // microsecond field keeps UID order equal to the order messages were handed in.
    const usec = String(this.counter % 1_000_000).padStart(6, '0');
    const base = `${Math.floor(Date.now() / 1000)}.M${usec}P${process.pid}Q${this.counter}.${this.host}`;
    const sizes = `,S=${message.raw.length},W=${wireSize(message.raw)}`;
    const flags = (message.flags ?? [])
      .map((f) => FLAG_LETTERS[f] ?? '')
      .sort()
      .join('');
    const name = sub === 'cur' ? `${base}${sizes}:2,${flags}` : `${base}${sizes}`;
    const tmp = join(folderPath, 'tmp', name);
    await writeFile(tmp, message.raw);
    await chown(tmp, MAIL_UID, MAIL_GID);
    if (message.internalDate) await utimes(tmp, message.internalDate, message.internalDate);
    const target = join(folderPath, sub, name);
    await rename(tmp, target);
    return target;
  }
}

/** Size as IMAP serves it: every bare LF becomes CRLF. */
export function wireSize(raw: Buffer): number {
  let bareLf = 0;
  for (let i = 0; i < raw.length; i += 1) {
    if (raw[i] === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) bareLf += 1;
  }
  return raw.length + bareLf;
}
