/**
 * Puts mail where a test needs it: fast maildir writes for volume, IMAP APPEND when the server path matters, and
 * doveadm for the changes only Dovecot can make consistently (UIDVALIDITY, expunge, new folders).
 */
import { ImapFlow } from 'imapflow';
import type { ControlClient } from './control-client';
import type { DovecotServer } from './dovecot';
import { LOOPBACK } from './loopback';
import type { Maildirs, MaildirMessage } from './maildir';
import { generateMessages, type GenerateOptions } from './messages';

export interface SeedOptions extends Omit<GenerateOptions, 'to'> {
  folder?: string;
  flags?: string[];
}

export interface MailboxStatus {
  messages: number;
  uidnext: number;
  uidvalidity: number;
}

export class Seeder {
  constructor(
    private readonly maildirs: Maildirs,
    private readonly dovecot: DovecotServer,
    private readonly control: ControlClient,
  ) {}

  /** Generated messages written straight into the maildir; Dovecot indexes them before this resolves. */
  async messages(address: string, options: SeedOptions): Promise<MailboxStatus> {
    const folder = options.folder ?? 'INBOX';
    const generated = generateMessages({ ...options, to: address });
    await this.maildirs.write(
      address,
      folder,
      mapIterable(generated, (m): MaildirMessage => ({ raw: m.raw, internalDate: m.date, flags: options.flags })),
    );
    return this.status(address, folder);
  }

  /** Raw messages written straight into the maildir (e.g. odd MIME a test crafted). */
  async raw(address: string, raws: Buffer[], folder = 'INBOX'): Promise<MailboxStatus> {
    await this.maildirs.write(
      address,
      folder,
      raws.map((raw) => ({ raw })),
    );
    return this.status(address, folder);
  }

  /** Through the IMAP server (APPEND), as the mailbox owner with a fresh token. */
  async append(address: string, raws: Buffer[], folder = 'INBOX'): Promise<void> {
    await this.maildirs.ensureFolder(address);
    const { access_token: accessToken } = await this.control.issueTokens({ address });
    const client = new ImapFlow({
      host: LOOPBACK,
      port: this.dovecot.port,
      secure: false,
      auth: { user: address, accessToken },
      logger: false,
    });
    await client.connect();
    try {
      for (const raw of raws) await client.append(folder, raw);
    } finally {
      await client.logout();
    }
  }

  async createFolder(address: string, folder: string): Promise<void> {
    await this.maildirs.ensureFolder(address);
    await this.dovecot.doveadm(['mailbox', 'create', '-u', address, folder]);
  }

  async expunge(address: string, uids: number[] | 'all', folder = 'INBOX'): Promise<void> {
    const query = uids === 'all' ? ['all'] : ['uid', uids.join(',')];
    await this.dovecot.doveadm(['expunge', '-u', address, 'mailbox', folder, ...query]);
  }

  /** A new UIDVALIDITY (default: current + 1): clients must treat every cached UID of the folder as void. */
  async changeUidValidity(address: string, folder = 'INBOX', value?: number): Promise<number> {
    const next = value ?? (await this.status(address, folder)).uidvalidity + 1;
    await this.dovecot.doveadm(['mailbox', 'update', '-u', address, '--uid-validity', String(next), folder]);
    return next;
  }

  async status(address: string, folder = 'INBOX'): Promise<MailboxStatus> {
    const out = await this.dovecot.doveadm([
      '-f',
      'flow',
      'mailbox',
      'status',
      '-u',
      address,
      'messages uidnext uidvalidity',
      folder,
    ]);
    const field = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(out)?.[1] ?? NaN);
    return { messages: field('messages'), uidnext: field('uidnext'), uidvalidity: field('uidvalidity') };
  }
}

function* mapIterable<T, U>(source: Iterable<T>, map: (item: T) => U): Generator<U> {
  for (const item of source) yield map(item);
}
