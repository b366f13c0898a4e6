import { describe, expect, it } from 'vitest';
import { describeMailArrival } from '@/lib/format/mail-arrival';

const inboxOnly = ['INBOX'];

describe('how soon new mail shows, on the account list and page', () => {
  it('says "watching" while a worker holds an IDLE on the inbox', () => {
    expect(describeMailArrival({ status: 'active', watched: true, folders: inboxOnly, pollMinutes: 5 })).toBe(
      'watching (new mail within seconds)',
    );
  });

  it('says the other folders of a watched mailbox are still polled', () => {
    expect(
      describeMailArrival({ status: 'active', watched: true, folders: ['INBOX', 'Sent Items'], pollMinutes: 5 }),
    ).toBe('watching INBOX (new mail within seconds); other folders checked every 5 minutes');
    expect(
      describeMailArrival({ status: 'active', watched: true, folders: ['INBOX', 'Archive'], pollMinutes: 1 }),
    ).toBe('watching INBOX (new mail within seconds); other folders checked every minute');
  });

  it('names the polling interval otherwise', () => {
    expect(describeMailArrival({ status: 'active', watched: false, folders: inboxOnly, pollMinutes: 5 })).toBe(
      'checked every 5 minutes',
    );
    expect(describeMailArrival({ status: 'active', watched: false, folders: inboxOnly, pollMinutes: 1 })).toBe(
      'checked every minute',
    );
    expect(describeMailArrival({ status: 'active', watched: false, folders: inboxOnly, pollMinutes: 0 })).toBe(
      'checked only when synced by hand',
    );
  });

  it('says nothing for a mailbox that does not sync', () => {
    for (const status of ['disabled', 'needs_reauth', 'error'])
      expect(describeMailArrival({ status, watched: false, folders: inboxOnly, pollMinutes: 5 })).toBeUndefined();
  });
});
