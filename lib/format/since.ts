const DAY_MS = 86_400_000;

/** A `since` query value: an ISO time within the last day (progress polling never needs older), else null. */
export function parseSince(value: string | null | undefined, now = Date.now()): Date | null {
  if (!value || value.length > 40 || !/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value)) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time) || time > now + 60_000 || time < now - DAY_MS) return null;
  return new Date(time);
}
