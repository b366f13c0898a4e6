import { describe, expect, it } from 'vitest';
import { LAPSE_WARNING_DAYS, SIGN_IN_LIFETIME_DAYS, signInLapse } from '@/lib/format/sign-in-lapse';

const DAY = 24 * 60 * 60_000;
const now = new Date('2026-12-05T08:00:00Z');
const renewedDaysAgo = (days: number) => new Date(now.getTime() - days * DAY);

describe('when a sign-in lapses', () => {
  it('lapses 90 days after its last renewal (Microsoft’s idle refresh-token lifetime)', () => {
    expect(SIGN_IN_LIFETIME_DAYS).toBe(90);
    const lapse = signInLapse(renewedDaysAgo(1), now);
    expect(lapse.lapsesAt?.toISOString()).toBe('2027-03-04T08:00:00.000Z');
    expect(lapse.warning).toBeNull();
  });

  it('warns from 14 days before the lapse, and says how to keep it', () => {
    expect(LAPSE_WARNING_DAYS).toBe(14);
    expect(signInLapse(renewedDaysAgo(75), now).warning).toBeNull();
    const warning = signInLapse(renewedDaysAgo(77), now).warning;
    expect(warning).toContain('in 13 days');
    expect(warning).toContain('renew it every 14 days');
    expect(warning).toContain('Re-authenticate');
  });

  it('says a lapsed sign-in has lapsed, and knows nothing of one never recorded', () => {
    expect(signInLapse(renewedDaysAgo(91), now).warning).toMatch(/^The sign-in lapsed on .*re-authenticate/);
    expect(signInLapse(null, now)).toEqual({ renewedAt: null, lapsesAt: null, warning: null });
  });
});
