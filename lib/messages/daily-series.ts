import type { DailyCount } from '@/lib/db/queries/messages';

const DAY_MS = 86_400_000;

/** Midnight UTC of the first day of a window of `days` days ending today (UTC). */
export function windowStart(now: Date, days: number): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** One entry per UTC day of the window, oldest first; days without mail count 0 (the query omits them). */
export function fillDailySeries(counts: DailyCount[], now: Date, days: number): DailyCount[] {
  const byDay = new Map(counts.map((entry) => [entry.day, entry.count]));
  const start = windowStart(now, days).getTime();
  return Array.from({ length: days }, (_, index) => {
    const day = new Date(start + index * DAY_MS).toISOString().slice(0, 10);
    return { day, count: byDay.get(day) ?? 0 };
  });
}
