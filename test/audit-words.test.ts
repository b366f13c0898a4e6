import { describe, expect, it } from 'vitest';
import { describeAuditEvent, type DescribableEvent } from '@/lib/audit/describe-event';

const event = (values: Partial<DescribableEvent>): DescribableEvent => ({
  action: 'account.connected',
  accountId: '0b1c2d3e-0000-4000-8000-000000000001',
  adminEmail: 'alice@example.com',
  adminName: 'Alice',
  mailbox: 'bob@contoso.com',
  target: 'bob@contoso.com',
  details: null,
  ...values,
});

describe('the audit log in words', () => {
  it('names who did what to which mailbox', () => {
    expect(describeAuditEvent(event({ action: 'account.reauthenticated' }))).toBe(
      'Alice re-authenticated bob@contoso.com.',
    );
    expect(describeAuditEvent(event({ action: 'sync.requested', target: 'bob@contoso.com' }))).toBe(
      'Alice started a sync of bob@contoso.com.',
    );
    expect(describeAuditEvent(event({ action: 'message.sent', target: 'carol@fabrikam.com' }))).toBe(
      'Alice sent a test message from bob@contoso.com to carol@fabrikam.com.',
    );
    expect(
      describeAuditEvent(
        event({
          action: 'account.settings_changed',
          details: { folders: ['INBOX', 'Archive'], afterFetch: 'mark_seen' },
        }),
      ),
    ).toBe('Alice changed the settings of bob@contoso.com: sync INBOX, Archive, then mark them as read.');
  });

  it('still names a mailbox whose row was deleted, and falls back to the e-mail of an admin without a name', () => {
    expect(
      describeAuditEvent(
        event({ action: 'account.removed', mailbox: null, adminName: null, details: { keptMessages: false } }),
      ),
    ).toBe('alice@example.com removed bob@contoso.com and deleted its stored messages.');
    expect(describeAuditEvent(event({ action: 'message.sent', mailbox: null, target: 'x@y.z' }))).toBe(
      'Alice sent a test message from a removed mailbox to x@y.z.',
    );
  });

  it('tells app changes apart: a new client ID with its consequences, a new secret, other settings', () => {
    const app = {
      action: 'app.updated',
      accountId: null,
      mailbox: null,
      target: '5a6b7c8d-0000-4000-8000-000000000000',
    };
    expect(
      describeAuditEvent(event({ ...app, details: { clientIdChanged: true, mustReauthenticate: 1, restored: 0 } })),
    ).toBe(
      'Alice changed the Microsoft 365 app to client ID 5a6b7c8d-0000-4000-8000-000000000000; 1 mailbox must re-authenticate.',
    );
    expect(describeAuditEvent(event({ ...app, details: { clientIdChanged: false, secretChanged: true } }))).toBe(
      'Alice replaced the Microsoft 365 app’s client secret.',
    );
    expect(
      describeAuditEvent(event({ action: 'sync.requested', accountId: null, mailbox: null, target: '3 mailboxes' })),
    ).toBe('Alice started a sync of every mailbox (3 mailboxes).');
  });
});
