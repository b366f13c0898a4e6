import 'server-only';
import { z } from 'zod';
import type { GraphClient } from '@/lib/microsoft/graph/client';

const folderPage = z.object({
  value: z.array(z.object({ id: z.string().min(1), displayName: z.string() })),
  '@odata.nextLink': z.string().optional(),
});

/**
 * The Graph folder id for one of the account's folder names. INBOX is the well-known name `inbox`, which Graph
 * accepts in place of an id (https://learn.microsoft.com/en-us/graph/api/resources/mailfolder, "Well-known folder
 * names"); any other name is looked up among the mailbox's top-level folders by display name
 * (https://learn.microsoft.com/en-us/graph/api/user-list-mailfolders), paged with `@odata.nextLink`. Undefined when
 * the mailbox has no such folder (deleted or renamed).
 */
export async function graphFolderId(client: GraphClient, mailbox: string, folder: string): Promise<string | undefined> {
  if (folder.toUpperCase() === 'INBOX') return 'inbox';
  let link: string | undefined = `/users/${encodeURIComponent(mailbox)}/mailFolders?$top=100&$select=id,displayName`;
  while (link) {
    const page: z.infer<typeof folderPage> = await client.json(link, folderPage, { mailbox });
    const found = page.value.find((candidate) => candidate.displayName.toLowerCase() === folder.toLowerCase());
    if (found) return found.id;
    link = page['@odata.nextLink'];
  }
  return undefined;
}
