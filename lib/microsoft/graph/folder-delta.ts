import 'server-only';
import { z } from 'zod';
import type { GraphClient } from '@/lib/microsoft/graph/client';
import { GraphFailure } from '@/lib/microsoft/graph/failure';

/**
 * One folder's messages through a delta query (https://learn.microsoft.com/en-us/graph/api/message-delta,
 * https://learn.microsoft.com/en-us/graph/delta-query-messages): the first round lists every message, later rounds
 * start from the stored `@odata.deltaLink` and list what was added or removed since. A round is paged with
 * `@odata.nextLink` and ends with a page carrying the `@odata.deltaLink`; query options of the first request are
 * encoded into both links by Graph, so the links are followed as given. Transport only: the caller stores each
 * page (with the link that resumes after it) before the next one is read.
 */

export interface GraphMessageSource {
  graphId: string;
  /** `<...@...>`, or null when Graph reports none (drafts, some system messages). */
  internetMessageId: string | null;
  /** The MIME source from `$value` (https://learn.microsoft.com/en-us/graph/outlook-get-mime-message). */
  raw: Buffer;
  /** When the message arrived in the mailbox (Graph's `receivedDateTime`); null when Graph gave none. */
  receivedAt: Date | null;
  isRead: boolean;
}

export interface FolderDeltaPage {
  messages: GraphMessageSource[];
  /** Ids Graph reports `@removed`, and ids gone before their `$value` was read. */
  removed: string[];
  /** Where the round continues (store it to resume a cut round), or, on its last page, the next round's start. */
  nextLink?: string;
  deltaLink?: string;
}

export type FolderDeltaOutcome =
  | { outcome: 'complete'; deltaLink: string }
  /**
   * Graph no longer knows the token (410 Gone: "the application must restart with a full synchronization",
   * https://learn.microsoft.com/en-us/graph/delta-query-overview, "Synchronization reset"; for Outlook items the
   * tokens live in a cache of bounded size, so an old one expires): the caller drops the stored link and starts a
   * fresh round, matching what it already has by Graph id and internet message id.
   */
  | { outcome: 'restart'; code: string };

export interface FolderDeltaRequest {
  /** User id or address (userPrincipalName) of the mailbox. */
  mailbox: string;
  /** A folder id or a well-known name (`inbox`). */
  folder: string;
  /** The stored deltaLink (or a nextLink of a cut round); none for a first sync. */
  link?: string;
  /** `Prefer: odata.maxpagesize`, which message-delta documents for sizing its pages. */
  pageSize?: number;
}

const deltaPage = z.object({
  value: z.array(
    z.object({
      id: z.string().min(1),
      internetMessageId: z.string().nullish(),
      receivedDateTime: z.string().nullish(),
      isRead: z.boolean().nullish(),
      '@removed': z.object({ reason: z.string().optional() }).optional(),
    }),
  ),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

const DEFAULT_PAGE_SIZE = 50;

/**
 * Ids that stay the same when a message moves between folders, so a stored Graph id keeps naming the same message:
 * the header applies only to the request it is on (https://learn.microsoft.com/en-us/graph/outlook-immutable-id).
 */
const IMMUTABLE_IDS = 'IdType="ImmutableId"';

export async function readFolderDelta(
  client: GraphClient,
  request: FolderDeltaRequest,
  onPage: (page: FolderDeltaPage) => Promise<void>,
): Promise<FolderDeltaOutcome> {
  const { mailbox } = request;
  const user = encodeURIComponent(mailbox);
  // `$select` trims each item to what the sync needs ("the id property is always returned"; message-delta,
  // "OData query parameters"); Graph carries it into the nextLink and deltaLink.
  let link =
    request.link ??
    `/users/${user}/mailFolders/${encodeURIComponent(request.folder)}/messages/delta?$select=internetMessageId,receivedDateTime,isRead`;
  const prefer = `odata.maxpagesize=${request.pageSize ?? DEFAULT_PAGE_SIZE}, ${IMMUTABLE_IDS}`;
  for (;;) {
    let page: z.infer<typeof deltaPage>;
    try {
      page = await client.json(link, deltaPage, { mailbox, headers: { prefer } });
    } catch (error) {
      if (error instanceof GraphFailure && error.kind === 'sync_reset') return { outcome: 'restart', code: error.code };
      throw error;
    }
    const nextLink = page['@odata.nextLink'];
    const deltaLink = page['@odata.deltaLink'];
    if (!nextLink === !deltaLink) {
      throw new GraphFailure('invalid_response', 'delta_links', 'A delta page must carry one nextLink or deltaLink');
    }
    const removed = page.value.filter((item) => item['@removed']).map((item) => item.id);
    // The client keeps at most four requests per mailbox in flight, so the page's $value reads queue there.
    const fetched = await Promise.all(
      page.value
        .filter((item) => !item['@removed'])
        .map(async (item) => {
          const raw = await rawSource(client, mailbox, item.id);
          if (!raw) return item.id;
          const received = item.receivedDateTime ? new Date(item.receivedDateTime) : null;
          return {
            graphId: item.id,
            internetMessageId: item.internetMessageId ?? null,
            raw,
            receivedAt: received && !Number.isNaN(received.getTime()) ? received : null,
            isRead: item.isRead ?? false,
          };
        }),
    );
    const messages = fetched.filter((m): m is GraphMessageSource => typeof m !== 'string');
    removed.push(...fetched.filter((m): m is string => typeof m === 'string'));
    await onPage({ messages, removed, ...(nextLink ? { nextLink } : { deltaLink }) });
    if (deltaLink) return { outcome: 'complete', deltaLink };
    link = nextLink as string;
  }
}

/** The message's MIME bytes; undefined when it was deleted or moved away after the delta page listed it. */
async function rawSource(client: GraphClient, mailbox: string, id: string): Promise<Buffer | undefined> {
  try {
    return await client.raw(`/users/${encodeURIComponent(mailbox)}/messages/${encodeURIComponent(id)}/$value`, {
      mailbox,
      headers: { prefer: IMMUTABLE_IDS },
    });
  } catch (error) {
    if (error instanceof GraphFailure && error.kind === 'not_found') return undefined;
    throw error;
  }
}
