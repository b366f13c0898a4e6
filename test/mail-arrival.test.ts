import { describe, expect, it } from 'vitest';
import { describeMailArrival } from '@/lib/format/mail-arrival';

describe('how soon new mail shows, on the account list and page', () => {
  it('says "watching" while a worker holds an IDLE on the inbox', () => {
    expect(describeMailArrival({ status: 'active', watched: true, pollMinutes: 5 })).toBe(
      'watching (new mail within seconds)',
    );
  });

  it('names the polling interval otherwise', () => {
    expect(describeMailArrival({ status: 'active', watched: false, pollMinutes: 5 })).toBe('checked every 5 minutes');
    expect(describeMailArrival({ status: 'active', watched: false, pollMinutes: 1 })).toBe('checked every minute');
    expect(describeMailArrival({ status: 'active', watched: false, pollMinutes: 0 })).toBe(
      'checked only when synced by hand',
    );
  });

  it('says nothing for a mailbox that does not sync', () => {
    for (const status of ['disabled', 'needs_reauth', 'error'])
      expect(describeMailArrival({ status, watched: false, pollMinutes: 5 })).toBeUndefined();
  });
});
