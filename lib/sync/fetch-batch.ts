import 'server-only';
import { createHash } from 'node:crypto';
import type { UnretrievableReason } from '@/lib/db/queries/unretrievable';
import { isRetrievalFailedNotice } from '@/lib/mail/exchange-placeholder';
import { headersOnly, parseMessage, type ParsedMessage } from '@/lib/mail/parse';
import type { ImapConnection } from '@/lib/mail/imap';
import { uidSet, type MessageMeta, type PlannedBatch } from '@/lib/sync/fetch-plan';

export interface FetchedMessage {
  meta: MessageMeta;
  /** Byte-exact as the server served it; null when only the headers were fetched. */
  source: Buffer | null;
  sha256: string | null;
  parsed: ParsedMessage;
  skippedReason: string | null;
}

export interface Unretrieved {
  uid: number;
  reason: UnretrievableReason;
}

export interface FetchedBatch {
  messages: FetchedMessage[];
  /** Still listed by the server but not served (or served as Exchange's notice): to record, never to skip. */
  unretrievable: Unretrieved[];
}

/**
 * Downloads one planned batch and parses each message as it arrives, so parsing overlaps the download (and the
 * previous batch's insert). A UID that does not come back is expunged only if UID SEARCH no longer lists it:
 * Exchange also leaves out messages that still exist (jstedfast/MailKit#1615).
 */
export async function fetchBatch(
  client: ImapConnection,
  batch: PlannedBatch,
  maxMessageBytes: number,
): Promise<FetchedBatch> {
  const metaByUid = new Map(batch.items.map((item) => [item.meta.uid, item.meta]));
  const full = batch.items.filter((item) => !item.headersOnly).map((item) => item.meta.uid);
  const oversize = batch.items.filter((item) => item.headersOnly).map((item) => item.meta.uid);
  const results: Promise<FetchedMessage>[] = [];
  const returned = new Set<number>();
  const notices: Unretrieved[] = [];
  // One parse at a time, in arrival order: mailparser is CPU-bound, running many at once only adds memory.
  let parsing: Promise<unknown> = Promise.resolve();

  if (full.length > 0) {
    for await (const message of client.fetch(uidSet(full), { uid: true, source: true }, { uid: true })) {
      const meta = metaByUid.get(message.uid);
      const source = message.source;
      if (!meta || !source) continue;
      returned.add(meta.uid);
      if (isRetrievalFailedNotice(source)) {
        notices.push({ uid: meta.uid, reason: 'placeholder' });
        continue;
      }
      const task = parsing.then(async (): Promise<FetchedMessage> => ({ meta, ...(await parseSource(source)) }));
      parsing = task;
      results.push(task);
    }
  }
  if (oversize.length > 0) {
    for await (const message of client.fetch(uidSet(oversize), { uid: true, headers: true }, { uid: true })) {
      const meta = metaByUid.get(message.uid);
      if (!meta) continue;
      returned.add(meta.uid);
      const header = message.headers ?? Buffer.alloc(0);
      if (isRetrievalFailedNotice(header)) {
        notices.push({ uid: meta.uid, reason: 'placeholder' });
        continue;
      }
      // RFC822.SIZE is Exchange's estimate, not the byte count: "about".
      const skippedReason = tooLargeReason(`about ${meta.size}`, maxMessageBytes);
      results.push(headersOnly(header).then((parsed) => ({ meta, source: null, sha256: null, parsed, skippedReason })));
    }
  }
  const fetched = await Promise.all(results);
  const missing = batch.items.map((item) => item.meta.uid).filter((uid) => !returned.has(uid));
  const { listed } = await stillListed(client, missing);
  return {
    messages: fetched.sort((a, b) => a.meta.uid - b.meta.uid),
    unretrievable: [...notices, ...listed.map((uid) => ({ uid, reason: 'no_data' as const }))].sort(
      (a, b) => a.uid - b.uid,
    ),
  };
}

/** A full source, its digest and what mailparser reads of it: the same for mail from IMAP and from Graph. */
export async function parseSource(source: Buffer): Promise<Omit<FetchedMessage, 'meta'>> {
  return {
    source,
    sha256: createHash('sha256').update(source).digest('hex'),
    parsed: await parseMessage(source),
    skippedReason: null,
  };
}

/** Why a message was stored with its headers only; `size` is "about N" where the server only estimates it. */
export function tooLargeReason(size: string, maxMessageBytes: number): string {
  return `too_large: ${size} bytes, over the ${describeLimit(maxMessageBytes)} limit; only the headers were stored`;
}

/** Splits UIDs a FETCH left out into those UID SEARCH still lists (not retrievable) and those it does not (expunged). */
export async function stillListed(
  client: ImapConnection,
  uids: number[],
): Promise<{ listed: number[]; expunged: number[] }> {
  if (uids.length === 0) return { listed: [], expunged: [] };
  const found = await client.search({ uid: uidSet(uids) }, { uid: true });
  const present = new Set(Array.isArray(found) ? found : []);
  return { listed: uids.filter((uid) => present.has(uid)), expunged: uids.filter((uid) => !present.has(uid)) };
}

/** "50 MB", "1.5 MB", "256 KB": a limit under 1 MB must not read as "0 MB". */
function describeLimit(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Number((bytes / 1024 / 1024).toFixed(1))} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** UID, size, flags and INTERNALDATE of the given UIDs, without bodies. */
export async function fetchMetadata(client: ImapConnection, uids: number[]): Promise<MessageMeta[]> {
  const metas: MessageMeta[] = [];
  if (uids.length === 0) return metas;
  const wanted = new Set(uids);
  const first = uids[0] as number;
  const last = uids[uids.length - 1] as number;
  // The UID set when it is short (a retry list is scattered), else the range: Exchange bounds a command's length
  // (MaxCommandSize, learn: powershell/module/exchange/set-imapsettings). UIDs we did not ask for are dropped.
  const set = uidSet(uids);
  for await (const message of client.fetch(
    set.length <= 1_000 ? set : `${first}:${last}`,
    { uid: true, size: true, flags: true, internalDate: true },
    { uid: true },
  )) {
    if (!wanted.has(message.uid)) continue;
    metas.push({
      uid: message.uid,
      size: message.size ?? 0,
      flags: [...(message.flags ?? [])],
      internalDate: toDate(message.internalDate),
    });
  }
  return metas.sort((a, b) => a.uid - b.uid);
}

function toDate(value: Date | string | undefined): Date {
  const date = value instanceof Date ? value : new Date(value ?? Date.now());
  return Number.isNaN(date.getTime()) ? new Date() : date;
}
