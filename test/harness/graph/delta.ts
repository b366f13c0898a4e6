/**
 * Delta query state for messages in a folder (https://learn.microsoft.com/en-us/graph/api/message-delta,
 * https://learn.microsoft.com/en-us/graph/delta-query-overview):
 * - a round is paged with `@odata.nextLink` (`$skiptoken`) and ends with `@odata.deltaLink` (`$deltatoken`);
 * - `Prefer: odata.maxpagesize=N` sets the page size (message-delta lists the header); without it 10, the default
 *   page of messages that https://learn.microsoft.com/en-us/graph/api/user-list-messages documents (message-delta
 *   itself names no default);
 * - the next round returns messages added since, and removed ones as `{ id, "@removed": { reason: "deleted" } }`;
 * - a token the service no longer knows answers 410 Gone (delta-query-overview, "Synchronization reset"); the code
 *   `syncStateNotFound` is the one Graph clients report for an expired Outlook delta token (the docs list the 410,
 *   not the code's spelling for Outlook items).
 * Flag changes (isRead) are not reported as updates here: a gap listed in README.md.
 */
import { randomBytes } from 'node:crypto';

export const DEFAULT_DELTA_PAGE = 10;

export interface DeltaEntry {
  id: string;
  removed: boolean;
}

interface Round {
  address: string;
  folder: string;
  pending: DeltaEntry[];
  /** The ids the client will know once the round is done. */
  known: string[];
}

interface Watermark {
  address: string;
  folder: string;
  known: string[];
}

export class DeltaTokens {
  private readonly rounds = new Map<string, Round>();
  private readonly watermarks = new Map<string, Watermark>();

  /** A fresh round: everything not in `known` is new, everything known but gone is removed. */
  begin(address: string, folder: string, current: string[], known: string[] = []): string {
    const knownSet = new Set(known);
    const currentSet = new Set(current);
    const pending: DeltaEntry[] = [
      ...current.filter((id) => !knownSet.has(id)).map((id) => ({ id, removed: false })),
      ...known.filter((id) => !currentSet.has(id)).map((id) => ({ id, removed: true })),
    ];
    const token = opaque();
    this.rounds.set(token, { address, folder, pending, known: current });
    return token;
  }

  /** Takes the next page; `done` when the round is exhausted (then a deltatoken is minted). */
  page(skipToken: string, size: number): { entries: DeltaEntry[]; next?: string; deltaToken?: string } | undefined {
    const round = this.rounds.get(skipToken);
    if (!round) return undefined;
    this.rounds.delete(skipToken);
    const entries = round.pending.slice(0, size);
    const rest = round.pending.slice(size);
    if (rest.length > 0) {
      const next = opaque();
      this.rounds.set(next, { ...round, pending: rest });
      return { entries, next };
    }
    const deltaToken = opaque();
    this.watermarks.set(deltaToken, { address: round.address, folder: round.folder, known: round.known });
    return { entries, deltaToken };
  }

  watermark(deltaToken: string): Watermark | undefined {
    return this.watermarks.get(deltaToken);
  }

  /** What Exchange does when its delta token cache drops old tokens: every outstanding token answers 410. */
  expireAll(): void {
    this.rounds.clear();
    this.watermarks.clear();
  }
}

function opaque(): string {
  return randomBytes(24).toString('base64url');
}
