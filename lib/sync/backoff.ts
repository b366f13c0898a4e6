const MINUTE_MS = 60_000;
const BASE_MS = MINUTE_MS;
const MAX_MS = 60 * MINUTE_MS;
const JITTER = 0.2;
/** A server's hint is honoured up to a day: a longer one is more likely garbage than advice. */
const MAX_SUGGESTED_MS = 24 * 60 * MINUTE_MS;

/**
 * How long to wait before the next attempt after `consecutiveFailures` failures in a row: 1, 2, 4 … 60 minutes,
 * ±20% jitter so that mailboxes failing together (an outage) do not retry together, never above 60 minutes
 * unless the server asked for longer ("Suggested Backoff Time", Retry-After), which always wins.
 */
export function backoffDelayMs(
  consecutiveFailures: number,
  suggestedMs?: number,
  random: () => number = Math.random,
): number {
  const suggested =
    suggestedMs !== undefined && Number.isFinite(suggestedMs) && suggestedMs > 0
      ? Math.min(suggestedMs, MAX_SUGGESTED_MS)
      : 0;
  const failures = Number.isNaN(consecutiveFailures) ? 1 : Math.floor(consecutiveFailures);
  if (failures < 1) return Math.round(suggested);
  // 2^6 minutes already passes the cap; bounding the exponent keeps huge counts from overflowing to Infinity.
  const base = Math.min(BASE_MS * 2 ** Math.min(failures - 1, 6), MAX_MS);
  const unit = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.min(base * (1 - JITTER + 2 * JITTER * unit), MAX_MS);
  return Math.round(Math.max(jittered, suggested));
}
