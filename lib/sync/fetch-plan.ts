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
  /**
   * When set, the first batch holds at most this many bytes and each next one twice as many, up to batchBytes;
   * towards the end each holds at most half of what is left. Writing starts sooner and the last write, which
   * nothing overlaps, is short.
   */
  rampBytes?: number;
}

/**
 * Cuts messages (UID order) into batches of at most `batchMessages` messages or `batchBytes` bytes of bodies. A
 * message larger than a batch but within the limit travels alone; one over the limit costs only its headers, so
 * it never blocks the messages after it.
 */
export function planBatches(metas: MessageMeta[], limits: BatchLimits): PlannedBatch[] {
  const batches: PlannedBatch[] = [];
  const bodyBytes = (meta: MessageMeta) => (meta.size > limits.maxMessageBytes ? 0 : meta.size);
  let remaining = metas.reduce((sum, meta) => sum + bodyBytes(meta), 0);
  let current: PlannedBatch | undefined;
  let limit = limits.batchBytes;
  for (const meta of metas) {
    const bytes = bodyBytes(meta);
    if (
      current &&
      (current.items.length >= limits.batchMessages || (current.bytes > 0 && current.bytes + bytes > limit))
    ) {
      batches.push(current);
      current = undefined;
    }
    if (!current) {
      current = { items: [], lastUid: 0, bytes: 0 };
      limit = batchLimit(limits, batches.length, remaining);
    }
    current.items.push({ meta, headersOnly: meta.size > limits.maxMessageBytes });
    current.bytes += bytes;
    current.lastUid = meta.uid;
    remaining -= bytes;
  }
  if (current) batches.push(current);
  return batches;
}

function batchLimit(limits: BatchLimits, index: number, remaining: number): number {
  const ramp = limits.rampBytes;
  if (ramp === undefined) return limits.batchBytes;
  return Math.max(ramp, Math.min(limits.batchBytes, ramp * 2 ** index, Math.ceil(remaining / 2)));
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
