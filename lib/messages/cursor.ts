import type { MessageCursor } from '@/lib/db/queries/messages';

/**
 * A list position as it travels in a URL: `<microseconds since the epoch>-<id>`. Microseconds, not an ISO date,
 * because Postgres keeps them and a millisecond cursor could skip or repeat rows that share a millisecond.
 */
export function encodeCursor(cursor: MessageCursor): string {
  return `${cursor.micros}-${cursor.id}`;
}

export function decodeCursor(value: string): MessageCursor | null {
  const match = /^(-?\d{1,17})-([1-9]\d{0,15})$/.exec(value);
  if (!match?.[1] || !match[2]) return null;
  const id = Number(match[2]);
  return Number.isSafeInteger(id) ? { micros: match[1], id } : null;
}
