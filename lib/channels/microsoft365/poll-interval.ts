import 'server-only';
import { getEnv } from '@/lib/config/env';

/**
 * Minutes between polled passes, as far as the console can tell: the embedded console runs them itself every
 * SYNC_INTERVAL_MINUTES; with PostgreSQL they come from the cron route, which vercel.json and the documented
 * crontab call every 5 minutes (docs/operations.md).
 */
export const CRON_INTERVAL_MINUTES = 5;

export function pollIntervalMinutes(): number {
  const env = getEnv();
  return env.databaseKind === 'pglite' ? env.SYNC_INTERVAL_MINUTES : CRON_INTERVAL_MINUTES;
}
