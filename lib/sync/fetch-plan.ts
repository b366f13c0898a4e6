/** What a metadata FETCH tells about a message before its body is downloaded. */
export interface MessageMeta {
  uid: number;
  size: number;
  flags: string[];
  internalDate: Date;
}

export interface PlannedBatch {
  /** In UID order; `headersOnly` ones are over the size limit: only their header block is fetched. */
  items: { meta: MessageMeta; headersOnly: boolean }[];
  /** The watermark after this batch commits. */
  lastUid: number;
  /** Bytes of bodies to download. */
  bytes: number;
}

export interface BatchLimits {
  batchMessages: number;
  batchBytes: number;
  maxMessageBytes: number;
}

/**
 * Cuts messages (UID order) into batches of at most `batchMessages` messages or `batchBytes` bytes of bodies. A
 * message larger than a batch but within the limit travels alone; one over the limit costs only its headers, so
 * it never blocks the messages after it.
 */
export function planBatches(metas: MessageMeta[], limits: BatchLimits): PlannedBatch[] {
  const batches: PlannedBatch[] = [];
  let current: PlannedBatch | undefined;
  for (const meta of metas) {
    const headersOnly = meta.size > limits.maxMessageBytes;
    const bytes = headersOnly ? 0 : meta.size;
    if (
      current &&
      (current.items.length >= limits.batchMessages || (current.bytes > 0 && current.bytes + bytes > limits.batchBytes))
    ) {
      batches.push(current);
      current = undefined;
    }
    current ??= { items: [], lastUid: 0, bytes: 0 };
    current.items.push({ meta, headersOnly });
    current.bytes += bytes;
    current.lastUid = meta.uid;
  }
  if (current) batches.push(current);
  return batches;
}

/** `1:3,5,7:8` for [1, 2, 3, 5, 7, 8]; expects ascending UIDs. */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  let start = uids[0];
  let end = start;
  for (let i = 1; i <= uids.length; i += 1) {
    const uid = uids[i];
    if (uid !== undefined && end !== undefined && uid === end + 1) {
      end = uid;
      continue;
    }
    if (start !== undefined) parts.push(start === end ? `${start}` : `${start}:${end}`);
    start = uid;
    end = uid;
  }
  return parts.join(',');
}

export function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
