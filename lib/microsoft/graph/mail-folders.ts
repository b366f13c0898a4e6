import 'server-only';
import { z } from 'zod';
import type { GraphClient } from '@/lib/microsoft/graph/client';
import { GraphFailure } from '@/lib/microsoft/graph/failure';

/**
 * One mail folder of a mailbox as the folder picker and the Graph sync name it.
 *
 * Identity: an account's chosen folders are stored as paths, as for IMAP ("INBOX", "Archive", "INBOX/Sub",
 * "Parent/Child"; `/` is Exchange's IMAP hierarchy separator), not as Graph ids. The same setting then means the
 * same folder on both transports, the rows already stored (messages and folder state are keyed by that name) keep
 * matching, and the stored deltaLinks keep working. The Graph id (stable across renames) is still what the sync
 * reads by: it is resolved from the path at each sync and recorded beside the deltaLink, so a folder whose id
 * changes under the same path starts a fresh delta round. A renamed folder is shown as "not found in the mailbox"
 * until the admin picks its new name, as with IMAP.
 */
export interface GraphMailFolder {
  id: string;
  path: string;
  /** The IMAP SPECIAL-USE attribute (RFC 6154) of a well-known folder, as the IMAP picker marks it. */
  specialUse?: string;
}

const folderPage = z.object({
  value: z.array(z.object({ id: z.string().min(1), displayName: z.string(), childFolderCount: z.number().optional() })),
  '@odata.nextLink': z.string().optional(),
});
type FolderPage = z.infer<typeof folderPage>;

/**
 * Well-known folder names Graph accepts in place of an id
 * (https://learn.microsoft.com/en-us/graph/api/resources/mailfolder, "Well-known folder names"). v1.0's mailFolder
 * has no property naming them (`wellKnownName` is beta only), so each is fetched by name and matched by id.
 */
const WELL_KNOWN: [name: string, specialUse: string][] = [
  ['sentitems', '\\Sent'],
  ['drafts', '\\Drafts'],
  ['deleteditems', '\\Trash'],
  ['junkemail', '\\Junk'],
  ['archive', '\\Archive'],
];
const idOnly = z.object({ id: z.string().min(1) });
const PAGE = 100;
const SELECT = '$select=id,displayName,childFolderCount';

/**
 * Every mail folder of the mailbox, depth first, the Inbox first. `/users/{id}/mailFolders` lists only the folders
 * under the root, so each folder with `childFolderCount > 0` is walked through its `childFolders`
 * (https://learn.microsoft.com/en-us/graph/api/user-list-mailfolders,
 * https://learn.microsoft.com/en-us/graph/api/mailfolder-list-childfolders), each listing paged by
 * `@odata.nextLink`. Hidden folders stay out (Graph's default without `includeHiddenFolders=true`): Outlook does
 * not show them, so an admin would not recognise them.
 */
export async function listGraphMailFolders(
  client: GraphClient,
  mailbox: string,
  options: { markWellKnown?: boolean } = {},
): Promise<GraphMailFolder[]> {
  const user = `/users/${encodeURIComponent(mailbox)}/mailFolders`;
  // Only the picker shows the marks: the sync needs the paths alone and saves the five requests.
  const [inbox, special] = await Promise.all([
    client.json(`${user}/inbox?$select=id`, idOnly, { mailbox }),
    options.markWellKnown ? wellKnownIds(client, user, mailbox) : new Map<string, string>(),
  ]);
  const folders: GraphMailFolder[] = [];
  const walk = async (link: string, parent: string | null): Promise<void> => {
    for (const folder of await allPages(client, link, mailbox)) {
      const name = parent === null && folder.id === inbox.id ? 'INBOX' : folder.displayName;
      const path = parent === null ? name : `${parent}/${name}`;
      const specialUse = special.get(folder.id);
      folders.push({ id: folder.id, path, ...(specialUse ? { specialUse } : {}) });
      if ((folder.childFolderCount ?? 0) > 0)
        await walk(`${user}/${encodeURIComponent(folder.id)}/childFolders?$top=${PAGE}&${SELECT}`, path);
    }
  };
  await walk(`${user}?$top=${PAGE}&${SELECT}`, null);
  const inboxFirst = (f: GraphMailFolder) => (f.path === 'INBOX' || f.path.startsWith('INBOX/') ? 0 : 1);
  return folders.sort((a, b) => inboxFirst(a) - inboxFirst(b) || a.path.localeCompare(b.path));
}

async function allPages(client: GraphClient, first: string, mailbox: string): Promise<FolderPage['value']> {
  const all: FolderPage['value'] = [];
  let link: string | undefined = first;
  while (link) {
    const page: FolderPage = await client.json(link, folderPage, { mailbox });
    all.push(...page.value);
    link = page['@odata.nextLink'];
  }
  return all;
}

/** Folder id → special use; a mailbox without one of them (no Archive yet) answers 404 for it. */
async function wellKnownIds(client: GraphClient, user: string, mailbox: string): Promise<Map<string, string>> {
  const found = await Promise.all(
    WELL_KNOWN.map(async ([name, use]) => {
      try {
        return [(await client.json(`${user}/${name}?$select=id`, idOnly, { mailbox })).id, use] as const;
      } catch (error) {
        if (error instanceof GraphFailure && error.kind === 'not_found') return undefined;
        throw error;
      }
    }),
  );
  return new Map(found.filter((entry) => entry !== undefined));
}
