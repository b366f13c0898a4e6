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

/** Downloads one planned batch (see `fetchBatches`); a parallel fetch gives each connection one at a time. */
export async function fetchBatch(
  client: ImapConnection,
  batch: PlannedBatch,
  maxMessageBytes: number,
): Promise<FetchedBatch> {
  let result: FetchedBatch | undefined;
  await fetchBatches(client, [batch], maxMessageBytes, (_, fetched) => {
    result = fetched;
  });
  return result as FetchedBatch;
}

/**
 * Downloads planned batches (in UID order) with one body FETCH and parses each message as it arrives, so parsing
 * overlaps the download (and earlier batches' inserts). Each batch is handed to `onBatch` in order as soon as all
 * its messages are in and parsed, while the FETCH goes on: on a link with delay the connection does not sit idle
 * for a round trip between batches. `onBatch` may wait (for room to store) without holding the download up, since
 * the FETCH is consumed independently; so callers bound memory by how many bytes they pass in one call.
 *
 * A UID that does not come back is expunged only if UID SEARCH no longer lists it: Exchange also leaves out
 * messages that still exist (jstedfast/MailKit#1615). That is known only once the FETCH has ended, so a batch
 * with a missing UID (and every batch after it, to keep the order) is handed on then.
 */
export async function fetchBatches(
  client: ImapConnection,
  batches: PlannedBatch[],
  maxMessageBytes: number,
  onBatch: (batch: PlannedBatch, fetched: FetchedBatch) => void | Promise<void>,
): Promise<void> {
  const states = batches.map((batch) => ({
    batch,
    waiting: batch.items.length,
    results: [] as Promise<FetchedMessage>[],
    notices: [] as Unretrieved[],
    unserved: [] as number[],
  }));
  const owner = new Map<number, { meta: MessageMeta; state: (typeof states)[number] }>();
  for (const state of states) for (const { meta } of state.batch.items) owner.set(meta.uid, { meta, state });
  const full = batches.flatMap((batch) => batch.items.filter((item) => !item.headersOnly).map((item) => item.meta.uid));
  const oversize = batches.flatMap((batch) =>
    batch.items.filter((item) => item.headersOnly).map((item) => item.meta.uid),
  );
  // One parse at a time, in arrival order: mailparser is CPU-bound, running many at once only adds memory.
  let parsing: Promise<unknown> = Promise.resolve();
  // Hand-offs run one after another, in batch order; none after one that failed (a store refused).
  let handoff: Promise<void> = Promise.resolve();
  let next = 0;
  let broken = false;
  const handOnReady = () => {
    while (next < states.length && (states[next] as (typeof states)[number]).waiting === 0) {
      const { batch, results, notices, unserved } = states[next] as (typeof states)[number];
      next += 1;
      handoff = handoff.then(async () => {
        const messages = await Promise.all(results);
        const unretrievable = [...notices, ...unserved.map((uid) => ({ uid, reason: 'no_data' as const }))];
        await onBatch(batch, {
          messages: messages.sort((a, b) => a.meta.uid - b.meta.uid),
          unretrievable: unretrievable.sort((a, b) => a.uid - b.uid),
        });
      });
      // Observed below; meanwhile the FETCH stops being read (imapflow then drains it without keeping the data).
      handoff.catch(() => (broken = true));
    }
  };
  const arrived = (uid: number, outcome: Promise<FetchedMessage> | Unretrieved) => {
    const entry = owner.get(uid);
    if (!entry) return;
    owner.delete(uid); // a UID the server sends twice counts once
    if (outcome instanceof Promise) entry.state.results.push(outcome);
    else entry.state.notices.push(outcome);
    entry.state.waiting -= 1;
    handOnReady();
  };

  try {
    // Headers of messages over the size limit first: a small answer, and then the body FETCH alone decides when
    // each batch is complete.
    if (oversize.length > 0) {
      for await (const message of client.fetch(uidSet(oversize), { uid: true, headers: true }, { uid: true })) {
        const entry = owner.get(message.uid);
        if (!entry) continue;
        const header = message.headers ?? Buffer.alloc(0);
        if (isRetrievalFailedNotice(header)) {
          arrived(message.uid, { uid: message.uid, reason: 'placeholder' });
          continue;
        }
        // RFC822.SIZE is Exchange's estimate, not the byte count: "about".
        const skippedReason = tooLargeReason(`about ${entry.meta.size}`, maxMessageBytes);
        const meta = entry.meta;
        arrived(
          message.uid,
          headersOnly(header).then((parsed) => ({ meta, source: null, sha256: null, parsed, skippedReason })),
        );
      }
    }
    if (full.length > 0) {
      for await (const message of client.fetch(uidSet(full), { uid: true, source: true }, { uid: true })) {
        if (broken) break;
        const entry = owner.get(message.uid);
        const source = message.source;
        if (!entry || !source) continue;
        if (isRetrievalFailedNotice(source)) {
          arrived(message.uid, { uid: message.uid, reason: 'placeholder' });
          continue;
        }
        const { meta } = entry;
        const task = parsing.then(async (): Promise<FetchedMessage> => ({ meta, ...(await parseSource(source)) }));
        parsing = task;
        arrived(message.uid, task);
      }
    }
    if (broken) await handoff;
    // What is left was not served: still listed (recorded, never skipped) or expunged (gone).
    const missing = [...owner.keys()].sort((a, b) => a - b);
    const { listed } = await stillListed(client, missing);
    const listedSet = new Set(listed);
    for (const uid of missing) {
      const entry = owner.get(uid);
      if (!entry) continue;
      owner.delete(uid);
      if (listedSet.has(uid)) entry.state.unserved.push(uid);
      entry.state.waiting -= 1;
    }
    handOnReady();
    await handoff;
  } catch (error) {
    // Batches that were complete when the FETCH failed (the connection cut, a BYE) are still stored, as they would
    // have been had each come in a FETCH of its own; the caller sees the error once their stores have started.
    await handoff.catch(() => {});
    throw error;
  }
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
