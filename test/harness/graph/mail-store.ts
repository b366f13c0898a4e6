/**
 * Graph's view of the Dovecot maildirs the IMAP side serves, so both views always agree: a folder per maildir
 * folder, a message per maildir file. A message id is the file's unique base name (stable across new/→cur/ and
 * flag changes, like an Exchange item id across reads) with its folder; Graph ids are opaque to clients.
 */
import { readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Maildirs } from '../maildir';

/**
 * Well-known folder names Graph accepts in place of an id
 * (https://learn.microsoft.com/en-us/graph/api/resources/mailfolder, "Well-known folder names"), mapped to the
 * folder names the stand-in's IMAP side uses (SMTP files sent mail into "Sent Items", as Exchange does).
 */
export const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: 'INBOX',
  sentitems: 'Sent Items',
  deleteditems: 'Deleted Items',
  drafts: 'Drafts',
  junkemail: 'Junk Email',
  archive: 'Archive',
};

export interface StoredMessage {
  id: string;
  folder: string;
  path: string;
  seen: boolean;
}

export class MailStore {
  constructor(readonly maildirs: Maildirs) {}

  folderId(folder: string): string {
    return Buffer.from(`f:${folder}`).toString('base64url');
  }

  /** A folder id or well-known name to the maildir folder name; undefined when neither. */
  folderName(idOrName: string): string | undefined {
    const known = WELL_KNOWN_FOLDERS[idOrName.toLowerCase()];
    if (known) return known;
    const decoded = Buffer.from(idOrName, 'base64url').toString('utf8');
    return decoded.startsWith('f:') && decoded.length > 2 ? decoded.slice(2) : undefined;
  }

  /**
   * Every folder path, parents before their children ("Parent", "Parent/Child", "INBOX/Sub"). A maildir++ folder
   * `.A.B` may exist without `.A` (IMAP then lists A as \\NonExistent); Exchange has no folder without its parent,
   * so such a parent is a folder here, empty.
   */
  async folders(address: string): Promise<string[]> {
    await this.maildirs.ensureFolder(address);
    const entries = await readdir(this.maildirs.folderPath(address), { withFileTypes: true });
    const paths = new Set(['INBOX']);
    for (const entry of entries) {
      if (!entry.isDirectory() || !entry.name.startsWith('.')) continue;
      const parts = entry.name.slice(1).split('.');
      for (let depth = 1; depth <= parts.length; depth += 1) paths.add(parts.slice(0, depth).join('/'));
    }
    return ['INBOX', ...[...paths].filter((p) => p !== 'INBOX').sort()];
  }

  async folderExists(address: string, folder: string): Promise<boolean> {
    return (await this.folders(address)).includes(folder);
  }

  /** The folder's messages in arrival order (the maildir names start with the delivery time, as UIDs follow it). */
  async list(address: string, folder: string): Promise<StoredMessage[]> {
    const path = this.maildirs.folderPath(address, folder);
    const messages: StoredMessage[] = [];
    for (const sub of ['new', 'cur']) {
      const names = await readdir(join(path, sub)).catch(() => [] as string[]);
      for (const name of names) {
        const [base = name, info = ''] = name.split(':2,');
        messages.push({
          id: this.messageId(folder, base),
          folder,
          path: join(path, sub, name),
          seen: info.includes('S'),
        });
      }
    }
    return messages.sort((a, b) => compareNames(a.path, b.path));
  }

  messageId(folder: string, base: string): string {
    return Buffer.from(`m:${folder}\u0000${base}`).toString('base64url');
  }

  async find(address: string, id: string): Promise<StoredMessage | undefined> {
    const decoded = Buffer.from(id, 'base64url').toString('utf8');
    if (!decoded.startsWith('m:') || !decoded.includes('\u0000')) return undefined;
    const folder = decoded.slice(2, decoded.indexOf('\u0000'));
    return (await this.list(address, folder)).find((m) => m.id === id);
  }

  read(message: StoredMessage): Promise<Buffer> {
    return readFile(message.path);
  }

  /** Sets the maildir Seen flag (what IMAP shows as \\Seen): the file moves to cur/ with `S` in its info. */
  async markRead(message: StoredMessage): Promise<void> {
    const name = message.path.slice(message.path.lastIndexOf('/') + 1);
    const [base = name, info = ''] = name.split(':2,');
    const flags = [...new Set([...info, 'S'])].sort().join('');
    const folderPath = message.path.slice(0, message.path.lastIndexOf('/', message.path.lastIndexOf('/') - 1));
    await rename(message.path, join(folderPath, 'cur', `${base}:2,${flags}`));
  }

  /** Moves the message into Deleted Items (its cur/), keeping its name and flags. */
  async moveToDeletedItems(address: string, message: StoredMessage): Promise<void> {
    const target = await this.maildirs.ensureFolder(address, 'Deleted Items');
    const name = message.path.slice(message.path.lastIndexOf('/') + 1);
    await rename(message.path, join(target, 'cur', name.includes(':2,') ? name : `${name}:2,`));
  }
}

function compareNames(a: string, b: string): number {
  const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  const [sa, ua] = timeKey(base(a));
  const [sb, ub] = timeKey(base(b));
  return sa - sb || ua - ub || base(a).localeCompare(base(b));
}

function timeKey(name: string): [number, number] {
  const match = /^(\d+)\.M(\d+)/.exec(name);
  return match ? [Number(match[1]), Number(match[2])] : [Number(name.split('.')[0]) || 0, 0];
}
