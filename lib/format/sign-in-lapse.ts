import { formatDateTime } from '@/lib/format/date';

const DAY_MS = 24 * 60 * 60_000;

/**
 * A refresh token lapses after 90 days without use; each use replaces it with a new one (learn:
 * entra/identity-platform/refresh-tokens, "Token lifetime"). The console renews idle sign-ins every 14 days and
 * warns 14 days before a lapse, which only comes close when those renewals stop (no scheduled pass runs).
 */
export const SIGN_IN_LIFETIME_DAYS = 90;
export const LAPSE_WARNING_DAYS = 14;

export interface SignInLapse {
  renewedAt: Date | null;
  lapsesAt: Date | null;
  /** A sentence when the lapse is 14 days away or past; null otherwise. */
  warning: string | null;
}

export function signInLapse(renewedAt: Date | null, now: Date): SignInLapse {
  if (!renewedAt) return { renewedAt: null, lapsesAt: null, warning: null };
  const lapsesAt = new Date(renewedAt.getTime() + SIGN_IN_LIFETIME_DAYS * DAY_MS);
  const left = lapsesAt.getTime() - now.getTime();
  if (left <= 0)
    return {
      renewedAt,
      lapsesAt,
      warning: `The sign-in lapsed on ${formatDateTime(lapsesAt)} (90 days without a renewal): re-authenticate the mailbox.`,
    };
  if (left > LAPSE_WARNING_DAYS * DAY_MS) return { renewedAt, lapsesAt, warning: null };
  const days = Math.max(1, Math.floor(left / DAY_MS));
  return {
    renewedAt,
    lapsesAt,
    warning: `The sign-in lapses on ${formatDateTime(lapsesAt)} (in ${days} day${days === 1 ? '' : 's'}) unless it is renewed. Scheduled syncs renew it every 14 days, even for a disabled mailbox: check that the cron route or a sync worker runs, or click Re-authenticate.`,
  };
}
