import 'server-only';
import { acquireMailAccess, TokenError } from '@/lib/channels/microsoft365/tokens';
import type { Db } from '@/lib/db/types';
import type { Result } from '@/lib/errors';
import { closeImapConnection, openImapConnection } from '@/lib/mail/imap';
import { explainImapError, type ErrorContext, type ExplainedError } from '@/lib/microsoft/errors';

export interface MailboxFolder {
  path: string;
  name: string;
  specialUse?: string;
}

export type FolderListing = Result<{ folders: MailboxFolder[] }, ExplainedError>;

/** The mailbox's real folder list over IMAP, so an admin picks folders that exist. */
export async function listMailboxFolders(db: Db, accountId: string): Promise<FolderListing> {
  let context: ErrorContext = {};
  try {
    const access = await acquireMailAccess(db, accountId);
    context = { mailbox: access.signInAddress, imapUser: access.imapUser, personal: access.personal };
    const client = await openImapConnection({
      ...access.endpoints.imap,
      user: access.imapUser,
      accessToken: access.accessToken,
    });
    try {
      const listed = await client.list();
      const folders = listed
        .filter((folder) => !folder.flags.has('\\Noselect') && !folder.flags.has('\\NonExistent'))
        .map((folder) => ({
          path: folder.path,
          name: folder.path.replaceAll(folder.delimiter ?? '/', ' / '),
          specialUse: folder.specialUse,
        }))
        .sort((a, b) => (a.path === 'INBOX' ? -1 : b.path === 'INBOX' ? 1 : a.path.localeCompare(b.path)));
      return { ok: true, folders };
    } finally {
      await closeImapConnection(client);
    }
  } catch (error) {
    return { ok: false, error: error instanceof TokenError ? error.explained : explainImapError(error, context) };
  }
}
