import { countOf } from '@/lib/format/count';

export interface DescribableEvent {
  action: string;
  accountId: string | null;
  adminEmail: string | null;
  adminName: string | null;
  /** The mailbox's address now (null when the mailbox row is gone). */
  mailbox: string | null;
  target: string | null;
  details: Record<string, unknown> | null;
}

const AFTER_FETCH: Record<string, string> = {
  keep: 'keep them in the mailbox',
  mark_seen: 'mark them as read',
  delete: 'delete them from the mailbox',
};

const MAILBOX_ACTIONS = new Set([
  'account.connected',
  'account.shared_connected',
  'account.reconnected',
  'account.reauthenticated',
  'account.settings_changed',
  'account.enabled',
  'account.disabled',
  'account.removed',
  'sync.requested',
]);

/** One sentence per audit event, naming who did it and to which mailbox: "Ada re-authenticated bob@contoso.com." */
export function describeAuditEvent(event: DescribableEvent): string {
  const who = event.adminName || event.adminEmail || 'The system';
  // Account events store the address as their target, so a mailbox deleted with its mail is still named.
  const mailbox = event.mailbox ?? (MAILBOX_ACTIONS.has(event.action) ? event.target : null) ?? 'a removed mailbox';
  const details = event.details ?? {};
  const text = (key: string) => (typeof details[key] === 'string' ? (details[key] as string) : undefined);
  const number = (key: string) => (typeof details[key] === 'number' ? (details[key] as number) : 0);
  switch (event.action) {
    case 'admin.created_first':
      return `${who} set up the console as its first administrator.`;
    case 'admin.invited':
      return `${who} invited ${event.target} to become an administrator.`;
    case 'admin.invite_withdrawn':
      return `${who} withdrew the invitation for ${event.target}.`;
    case 'admin.joined':
      return `${event.target} accepted an invitation and became an administrator.`;
    case 'admin.created':
      return `${event.target} was made an administrator from the server’s command line.`;
    case 'admin.removed':
      return details.self === true
        ? `${who} removed their own administrator account.`
        : `${who} removed the administrator ${event.target}.`;
    case 'admin.password_changed':
      return `${who} changed their password${number('endedSessions') > 0 ? ` and ${countOf(number('endedSessions'), 'other session was', 'other sessions were')} signed out` : ''}.`;
    case 'admin.password_reset':
      return `The password of ${event.target} was reset from the server’s command line (two-factor sign-in off); ${countOf(number('endedSessions'), 'session was', 'sessions were')} signed out.`;
    case 'admin.two_factor_enabled':
      return `${who} turned on two-factor sign-in for their account.`;
    case 'admin.two_factor_disabled':
      return `${who} turned off two-factor sign-in for their account.`;
    case 'admin.signed_out_everywhere':
      return `${who} signed out everywhere (${countOf(number('endedSessions'), 'session', 'sessions')}).`;
    case 'app.created':
      return `${who} saved the Microsoft 365 app (client ID ${event.target}).`;
    case 'app.updated': {
      if (details.clientIdChanged !== true)
        return details.secretChanged === true
          ? `${who} replaced the Microsoft 365 app’s client secret.`
          : `${who} changed the Microsoft 365 app’s settings.`;
      const effects = [
        number('mustReauthenticate') > 0
          ? `${countOf(number('mustReauthenticate'), 'mailbox', 'mailboxes')} must re-authenticate`
          : '',
        number('restored') > 0 ? `${countOf(number('restored'), 'mailbox', 'mailboxes')} work again` : '',
      ].filter(Boolean);
      return `${who} changed the Microsoft 365 app to client ID ${event.target}${effects.length ? `; ${effects.join(', ')}` : ''}.`;
    }
    case 'account.connected':
      return `${who} connected ${mailbox}.`;
    case 'account.shared_connected':
      return `${who} connected the shared mailbox ${mailbox}${text('delegate') ? ` through ${text('delegate')}` : ''}.`;
    case 'account.reconnected':
      return `${who} connected ${mailbox} again.`;
    case 'account.reauthenticated':
      return `${who} re-authenticated ${mailbox}.`;
    case 'account.settings_changed': {
      const folders = Array.isArray(details.folders) ? details.folders.filter((f) => typeof f === 'string') : [];
      const after = AFTER_FETCH[text('afterFetch') ?? ''];
      return `${who} changed the settings of ${mailbox}: sync ${folders.length ? folders.join(', ') : 'its folders'}${after ? `, then ${after}` : ''}.`;
    }
    case 'account.enabled':
      return `${who} enabled ${mailbox}.`;
    case 'account.disabled':
      return `${who} disabled ${mailbox}.`;
    case 'account.removed':
      return `${who} removed ${mailbox}${details.keptMessages === false ? ' and deleted its stored messages' : ', keeping its stored messages'}.`;
    case 'sync.requested':
      return event.accountId
        ? `${who} started a sync of ${mailbox}.`
        : `${who} started a sync of every mailbox (${event.target}).`;
    case 'message.sent':
      return `${who} sent a test message from ${mailbox} to ${event.target}.`;
    case 'message.send_failed':
      return `${who} tried to send a test message from ${mailbox} to ${event.target}; it failed${text('error') ? ` (${text('error')})` : ''}.`;
    default:
      return `${who}: ${event.action}${event.target ? ` (${event.target})` : ''}.`;
  }
}
