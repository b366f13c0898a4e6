const absolute = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** Server-rendered times are UTC and say so, so what the admin reads never depends on the server's zone. */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '—';
  return `${absolute.format(new Date(value))} UTC`;
}
