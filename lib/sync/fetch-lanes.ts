import 'server-only';
import { closeImapConnection, openFolder, type ImapConnection } from '@/lib/mail/imap';
import { logger } from '@/lib/logger';
import type { FetchLane } from '@/lib/sync/parallel-fetch';

/**
 * The session's connection plus up to `extra` more, each signed in and with the folder open read-only (they only
 * fetch; flags are changed on the session's own connection). One that cannot be opened, or that sees another
 * UIDVALIDITY than the session (the folder was recreated in between), is left out: fewer connections, same mail.
 */
export async function openFetchLanes(
  main: ImapConnection,
  open: () => Promise<ImapConnection>,
  options: { folder: string; uidValidity: number; extra: number },
): Promise<FetchLane[]> {
  const opened = await Promise.all(
    Array.from({ length: options.extra }, async (): Promise<FetchLane | undefined> => {
      let client: ImapConnection | undefined;
      try {
        client = await open();
        const mailbox = await openFolder(client, options.folder, { readOnly: true });
        if (Number(mailbox.uidValidity) === options.uidValidity) return { client, main: false };
        await closeImapConnection(client);
      } catch (error) {
        logger('sync').info({ err: error, folder: options.folder }, 'an extra fetch connection could not be opened');
        if (client) await closeImapConnection(client);
      }
      return undefined;
    }),
  );
  return [{ client: main, main: true }, ...opened.filter((lane): lane is FetchLane => lane !== undefined)];
}
