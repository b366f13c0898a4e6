import 'server-only';
import type { GraphClient } from '@/lib/microsoft/graph/client';
import { listGraphMailFolders } from '@/lib/microsoft/graph/mail-folders';

/**
 * The Graph folder id for each of the account's folder paths (see GraphMailFolder for why paths are stored),
 * undefined for a path the mailbox no longer has (deleted or renamed). INBOX stays the well-known name `inbox`,
 * which Graph accepts in place of an id (https://learn.microsoft.com/en-us/graph/api/resources/mailfolder,
 * "Well-known folder names"): the Inbox's stored deltaLinks and folder state were recorded under that name, so they
 * keep working. Any other path is found in the whole folder tree, nested folders included, read once per sync and
 * only when the account has a folder besides the Inbox. Paths match without regard to case, as before.
 */
export async function graphFolderIds(
  client: GraphClient,
  mailbox: string,
  folders: string[],
): Promise<Map<string, string | undefined>> {
  const isInbox = (folder: string) => folder.toUpperCase() === 'INBOX';
  const tree = folders.every(isInbox) ? [] : await listGraphMailFolders(client, mailbox);
  const byPath = new Map<string, string>();
  for (const folder of tree) if (!byPath.has(normalise(folder.path))) byPath.set(normalise(folder.path), folder.id);
  return new Map(folders.map((folder) => [folder, isInbox(folder) ? 'inbox' : byPath.get(normalise(folder))]));
}

/** "Inbox/Sub" and "INBOX/Sub" are the same folder: IMAP's INBOX is case-insensitive (RFC 3501, 5.1). */
function normalise(path: string): string {
  return path.toLowerCase();
}
