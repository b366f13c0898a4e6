import 'server-only';
import { delegatedAdvice, pageGraphClient } from '@/lib/channels/microsoft365/prove-graph-access';
import {
  acquireAccountAccess,
  TokenError,
  type GraphAccess,
  type MailAccess,
} from '@/lib/channels/microsoft365/tokens';
import type { Db } from '@/lib/db/types';
import type { Result } from '@/lib/errors';
import { closeImapConnection, openImapConnection } from '@/lib/mail/imap';
import { explainImapError, type ErrorContext, type ExplainedError } from '@/lib/microsoft/errors';
import { explainGraphFailure } from '@/lib/microsoft/graph/explain';
import { GraphFailure } from '@/lib/microsoft/graph/failure';
import { listGraphMailFolders } from '@/lib/microsoft/graph/mail-folders';

export interface MailboxFolder {
  /** What the account's folder setting stores: the IMAP path, or for Graph the same path built from the tree. */
  path: string;
  name: string;
  specialUse?: string;
}

export type FolderListing = Result<{ folders: MailboxFolder[] }, ExplainedError>;

/**
 * The mailbox's real folder list, so an admin picks folders that exist: over IMAP, or through Microsoft Graph for
 * a Graph mailbox (either access), with the same token and transport its sync uses.
 */
export async function listMailboxFolders(db: Db, accountId: string): Promise<FolderListing> {
  let access;
  try {
    access = await acquireAccountAccess(db, accountId);
  } catch (error) {
    // As before Graph: whatever stops the token (or the account's row) is explained, never thrown at the page.
    return { ok: false, error: error instanceof TokenError ? error.explained : explainImapError(error, {}) };
  }
  return access.transport === 'graph' ? listGraphFolders(access.graph) : listImapFolders(access.mail);
}

async function listImapFolders(access: MailAccess): Promise<FolderListing> {
  const context: ErrorContext = { mailbox: access.signInAddress, imapUser: access.imapUser, personal: access.personal };
  try {
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

async function listGraphFolders(access: GraphAccess): Promise<FolderListing> {
  const client = pageGraphClient(access.endpoints, access.token);
  try {
    const listed = await listGraphMailFolders(client, access.mailbox, { markWellKnown: true });
    const folders = listed.map((folder) => ({
      path: folder.path,
      name: folder.path.replaceAll('/', ' / '),
      ...(folder.specialUse ? { specialUse: folder.specialUse } : {}),
    }));
    return { ok: true, folders };
  } catch (error) {
    if (error instanceof TokenError) return { ok: false, error: error.explained };
    if (!(error instanceof GraphFailure)) throw error;
    const explained = explainGraphFailure(error, { mailbox: access.mailbox, personal: access.personal });
    return { ok: false, error: access.access === 'delegated' ? delegatedAdvice(explained) : explained };
  }
}
