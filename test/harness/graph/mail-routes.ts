/**
 * The Graph mail endpoints the product uses: mailFolders listing, messages delta, `$value` and sendMail.
 */
import type { EmulatorState } from '../emulator/state';
import { authorizeMailbox, resolveMailbox } from './mailbox-access';
import { DEFAULT_DELTA_PAGE, type DeltaTokens } from './delta';
import { GraphError } from './errors';
import type { MailStore } from './mail-store';
import { messageJson } from './message-json';
import type { Principal } from './principal';
import { sendMail, type SendMailDelivery } from './send-mail';
import { json, type GraphRequest, type GraphResponse } from './types';

export interface MailContext {
  state: EmulatorState;
  store: MailStore;
  delta: DeltaTokens;
  delivery: SendMailDelivery;
  baseUrl: string;
}

const USER = '/v1\\.0/users/([^/?]+)';

export async function mailRoute(ctx: MailContext, principal: Principal, request: GraphRequest): Promise<GraphResponse> {
  const url = new URL(request.url, ctx.baseUrl);
  const path = url.pathname;
  let match: RegExpExecArray | null;
  if (request.method === 'GET' && (match = new RegExp(`^${USER}/mailFolders$`).exec(path))) {
    return listFolders(ctx, principal, url, match[1] ?? '', null);
  }
  if (request.method === 'GET' && (match = new RegExp(`^${USER}/mailFolders/([^/]+)/childFolders$`).exec(path))) {
    return listFolders(ctx, principal, url, match[1] ?? '', decodeURIComponent(match[2] ?? ''));
  }
  if (request.method === 'GET' && (match = new RegExp(`^${USER}/mailFolders/([^/]+)$`).exec(path))) {
    return getFolder(ctx, principal, match[1] ?? '', decodeURIComponent(match[2] ?? ''));
  }
  if (request.method === 'GET' && (match = new RegExp(`^${USER}/mailFolders/([^/]+)/messages/delta$`).exec(path))) {
    return delta(ctx, principal, request, url, match[1] ?? '', decodeURIComponent(match[2] ?? ''));
  }
  if (request.method === 'GET' && (match = new RegExp(`^${USER}/mailFolders/([^/]+)/messages$`).exec(path))) {
    return listMessages(ctx, principal, url, match[1] ?? '', decodeURIComponent(match[2] ?? ''));
  }
  if (request.method === 'GET' && (match = new RegExp(`^${USER}/messages/([^/]+)/\\$value$`).exec(path))) {
    return mimeValue(ctx, principal, match[1] ?? '', decodeURIComponent(match[2] ?? ''));
  }
  if (
    (request.method === 'PATCH' || request.method === 'DELETE') &&
    (match = new RegExp(`^${USER}/messages/([^/]+)$`).exec(path))
  ) {
    return changeMessage(ctx, principal, request, match[1] ?? '', decodeURIComponent(match[2] ?? ''));
  }
  if (request.method === 'POST' && (match = new RegExp(`^${USER}/sendMail$`).exec(path))) {
    const mailbox = resolveMailbox(ctx.state, principal, match[1] ?? '');
    authorizeMailbox(ctx.state, principal, mailbox, 'send');
    await sendMail(ctx.state, ctx.delivery, principal, mailbox, request);
    return { status: 202, headers: {} };
  }
  // Graph's answer to a path it has no segment for (https://learn.microsoft.com/en-us/graph/errors: 400).
  throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`);
}

/**
 * The folders directly under the root (https://learn.microsoft.com/en-us/graph/api/user-list-mailfolders: "only
 * the child folders of the root folder"), or directly under one folder
 * (https://learn.microsoft.com/en-us/graph/api/mailfolder-list-childfolders). Both are paged: `$top` sets the page,
 * the `@odata.nextLink` carries `$skip`. The docs name no default page size for these listings; 10 is what
 * https://learn.microsoft.com/en-us/graph/api/user-list-messages documents for Outlook collections, the stricter
 * choice (a client that ignores nextLink misses folders here as it would in a larger mailbox). The stand-in has no
 * hidden folders, so `includeHiddenFolders` changes nothing.
 */
async function listFolders(
  ctx: MailContext,
  principal: Principal,
  url: URL,
  user: string,
  parentRef: string | null,
): Promise<GraphResponse> {
  const mailbox = resolveMailbox(ctx.state, principal, user);
  authorizeMailbox(ctx.state, principal, mailbox, 'read');
  const parent = parentRef === null ? null : (await readableFolder(ctx, principal, user, parentRef)).folder;
  const all = (await ctx.store.folders(mailbox.address)).filter((folder) => parentOf(folder) === parent);
  const top = Math.max(1, Number(url.searchParams.get('$top')) || 10);
  const skip = Math.max(0, Number(url.searchParams.get('$skip')) || 0);
  const value = await Promise.all(
    all.slice(skip, skip + top).map((folder) => folderJson(ctx, mailbox.address, folder)),
  );
  const next = new URL(url.href);
  next.searchParams.set('$top', String(top));
  next.searchParams.set('$skip', String(skip + top));
  const segment = parent === null ? 'mailFolders' : `mailFolders('${ctx.store.folderId(parent)}')/childFolders`;
  return json(200, {
    '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#users('${user}')/${segment}`,
    value,
    ...(skip + top < all.length ? { '@odata.nextLink': `${ctx.baseUrl}${next.pathname}${next.search}` } : {}),
  });
}

/** The folder a path sits in; null for a folder under the root ("Top of Information Store"). */
function parentOf(folder: string): string | null {
  const slash = folder.lastIndexOf('/');
  return slash < 0 ? null : folder.slice(0, slash);
}

/**
 * A folder's messages (https://learn.microsoft.com/en-us/graph/api/mailfolder-list-messages): 10 a page unless
 * `$top` asks otherwise, later pages by the `@odata.nextLink` (`$skip`), as Graph pages this listing.
 */
async function listMessages(
  ctx: MailContext,
  principal: Principal,
  url: URL,
  user: string,
  folderRef: string,
): Promise<GraphResponse> {
  const { mailbox, folder } = await readableFolder(ctx, principal, user, folderRef);
  const top = Math.max(1, Number(url.searchParams.get('$top')) || 10);
  const skip = Math.max(0, Number(url.searchParams.get('$skip')) || 0);
  const all = await ctx.store.list(mailbox.address, folder);
  const value = await Promise.all(all.slice(skip, skip + top).map((message) => messageJson(ctx.store, message)));
  const next = new URL(url.href);
  next.searchParams.set('$top', String(top));
  next.searchParams.set('$skip', String(skip + top));
  return json(200, {
    '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#Collection(message)`,
    value,
    ...(skip + top < all.length ? { '@odata.nextLink': `${ctx.baseUrl}${next.pathname}${next.search}` } : {}),
  });
}

async function delta(
  ctx: MailContext,
  principal: Principal,
  request: GraphRequest,
  url: URL,
  user: string,
  folderRef: string,
): Promise<GraphResponse> {
  const { mailbox, folder } = await readableFolder(ctx, principal, user, folderRef);
  const size = pageSize(request.headers.prefer);
  const skipToken = url.searchParams.get('$skiptoken');
  const deltaToken = url.searchParams.get('$deltatoken');
  const current = (await ctx.store.list(mailbox.address, folder)).map((m) => m.id);
  let round: string;
  if (skipToken) round = skipToken;
  else if (deltaToken) {
    const mark = ctx.delta.watermark(deltaToken);
    if (!mark || mark.address !== mailbox.address || mark.folder !== folder) throw syncReset();
    round = ctx.delta.begin(mailbox.address, folder, current, mark.known);
  } else round = ctx.delta.begin(mailbox.address, folder, current);
  const page = ctx.delta.page(round, size);
  if (!page) throw syncReset();

  const value = await Promise.all(
    page.entries.map(async (entry) => {
      const message = entry.removed ? undefined : await ctx.store.find(mailbox.address, entry.id);
      // Removed meanwhile (or in this round): Graph reports the id with `@removed`.
      if (!message)
        return { '@odata.type': '#microsoft.graph.message', id: entry.id, '@removed': { reason: 'deleted' } };
      return messageJson(ctx.store, message);
    }),
  );
  const base = `${ctx.baseUrl}${url.pathname}`;
  const links = page.next
    ? { '@odata.nextLink': `${base}?$skiptoken=${page.next}` }
    : { '@odata.deltaLink': `${base}?$deltatoken=${page.deltaToken ?? ''}` };
  const applied: Record<string, string> = request.headers.prefer
    ? { 'preference-applied': `odata.maxpagesize=${size}` }
    : {};
  return json(200, { '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#Collection(message)`, value, ...links }, applied);
}

/**
 * The message's MIME content (https://learn.microsoft.com/en-us/graph/outlook-get-mime-message): the bytes the
 * IMAP side serves as BODY[] (maildir bytes with bare LF as CRLF), so both transports hand out the same source.
 */
async function mimeValue(ctx: MailContext, principal: Principal, user: string, id: string): Promise<GraphResponse> {
  const mailbox = resolveMailbox(ctx.state, principal, user);
  authorizeMailbox(ctx.state, principal, mailbox, 'read');
  const message = await ctx.store.find(mailbox.address, id);
  if (!message) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  const raw = toCrlf(await ctx.store.read(message));
  return { status: 200, headers: { 'content-type': 'text/plain' }, raw };
}

/**
 * PATCH a message's `isRead` (https://learn.microsoft.com/en-us/graph/api/message-update: 200 with the message) or
 * DELETE it (https://learn.microsoft.com/en-us/graph/api/message-delete: 204). The delete docs do not say where the
 * message goes; Outlook's delete keeps it recoverable in Deleted Items, which is what this does (the mailbox's view
 * of the folder is the same either way: the message is gone from it). Only `isRead` is applied of a PATCH body.
 */
async function changeMessage(
  ctx: MailContext,
  principal: Principal,
  request: GraphRequest,
  user: string,
  id: string,
): Promise<GraphResponse> {
  const mailbox = resolveMailbox(ctx.state, principal, user);
  authorizeMailbox(ctx.state, principal, mailbox, 'write');
  const message = await ctx.store.find(mailbox.address, id);
  if (!message) throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  if (request.method === 'DELETE') {
    await ctx.store.moveToDeletedItems(mailbox.address, message);
    return { status: 204, headers: {} };
  }
  let body: { isRead?: unknown };
  try {
    body = JSON.parse(request.body.toString('utf8') || '{}') as { isRead?: unknown };
  } catch {
    throw new GraphError(400, 'RequestBodyRead', 'Invalid JSON in the request body.');
  }
  if (body.isRead === true && !message.seen) await ctx.store.markRead(message);
  const updated = (await ctx.store.find(mailbox.address, id)) ?? message;
  return json(200, await messageJson(ctx.store, updated));
}

/** The mailbox (checked first, so a refused app learns nothing about its folders) and one of its folders. */
async function readableFolder(ctx: MailContext, principal: Principal, user: string, ref: string) {
  const mailbox = resolveMailbox(ctx.state, principal, user);
  authorizeMailbox(ctx.state, principal, mailbox, 'read');
  const folder = ctx.store.folderName(ref);
  if (!folder || !(await ctx.store.folderExists(mailbox.address, folder))) {
    throw new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  }
  return { mailbox, folder };
}

function pageSize(prefer: string | undefined): number {
  const match = /odata\.maxpagesize=(\d+)/i.exec(prefer ?? '');
  const size = match ? Number(match[1]) : DEFAULT_DELTA_PAGE;
  return size > 0 ? size : DEFAULT_DELTA_PAGE;
}

function syncReset(): GraphError {
  return new GraphError(410, 'syncStateNotFound', 'The sync state generation is not found. Restart the sync.');
}

function toCrlf(raw: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i] ?? 0;
    if (byte === 0x0a && (i === 0 || raw[i - 1] !== 0x0d)) out.push(0x0d);
    out.push(byte);
  }
  return Buffer.from(out);
}

/**
 * One folder by id or well-known name (`/users/{id}/mailFolders/inbox`):
 * https://learn.microsoft.com/en-us/graph/api/mailfolder-get. The mailbox is checked before the folder, so a
 * refused app learns nothing about the folders.
 */
async function getFolder(ctx: MailContext, principal: Principal, user: string, ref: string): Promise<GraphResponse> {
  const { mailbox, folder } = await readableFolder(ctx, principal, user, ref);
  return json(200, {
    '@odata.context': `${ctx.baseUrl}/v1.0/$metadata#users('${user}')/mailFolders/$entity`,
    ...(await folderJson(ctx, mailbox.address, folder)),
  });
}

/**
 * A mailFolder resource (https://learn.microsoft.com/en-us/graph/api/resources/mailfolder) with its counts: the
 * display name is the last segment of the path, `parentFolderId` the parent's id (the root's for a top-level
 * folder, which is not itself a folder here), `childFolderCount` the folders directly under it.
 */
async function folderJson(ctx: MailContext, address: string, folder: string): Promise<Record<string, unknown>> {
  const messages = await ctx.store.list(address, folder);
  const parent = parentOf(folder);
  const children = (await ctx.store.folders(address)).filter((other) => parentOf(other) === folder);
  return {
    id: ctx.store.folderId(folder),
    displayName: folder === 'INBOX' ? 'Inbox' : folder.slice(folder.lastIndexOf('/') + 1),
    parentFolderId: ctx.store.folderId(parent ?? ''),
    childFolderCount: children.length,
    unreadItemCount: messages.filter((m) => !m.seen).length,
    totalItemCount: messages.length,
    isHidden: false,
  };
}
