import { describe, expect, it } from 'vitest';
import { adviceParts } from '@/lib/format/advice';
import { AADSTS_CATALOG, OAUTH_CATALOG, type CatalogEntry } from '@/lib/microsoft/error-catalog';
import { explainImapError, type ErrorAdvice, type ErrorContext } from '@/lib/microsoft/errors';
import { classifyFailure } from '@/lib/sync/failures';
import type { SyncAccount } from '@/lib/sync/types';
import { MAIL_CATALOG } from '@/lib/microsoft/mail-error-catalog';

const context: ErrorContext & { text: string } = {
  callbackUrl: 'https://mail.example.com/api/v1/external_credentials/microsoft365/callback',
  tenant: 'contoso.com',
  mailbox: 'agent@contoso.com',
  imapUser: 'support@contoso.com',
  text: 'AADSTS50020: personal live.com',
};

const advice = (entry: CatalogEntry) => (typeof entry === 'function' ? entry(context) : entry);
const entries = [
  ...Object.entries(AADSTS_CATALOG).map(([code, entry]) => [`AADSTS${code}`, advice(entry)] as const),
  ...Object.entries(OAUTH_CATALOG).map(([code, entry]) => [code, advice(entry)] as const),
  ...Object.entries(MAIL_CATALOG).map(([code, entry]) => [code, entry(context)] as const),
];

describe('advice text', () => {
  it('turns each backticked segment into a command of its own and drops stray Markdown', () => {
    expect(
      adviceParts('Check it: `Get-CASMailbox -Identity a@b.c | fl ImapEnabled` If **False**, run: `Set-CASMailbox x`'),
    ).toEqual([
      { kind: 'text', text: 'Check it:' },
      { kind: 'command', text: 'Get-CASMailbox -Identity a@b.c | fl ImapEnabled' },
      { kind: 'text', text: 'If False, run:' },
      { kind: 'command', text: 'Set-CASMailbox x' },
    ]);
    expect(adviceParts('An odd ` backtick stays out.')).toEqual([
      { kind: 'text', text: 'An odd  backtick stays out.' },
    ]);
  });

  it.each(entries)('%s: commands stand alone after a colon; titles and explanations have none', (_, entry) => {
    for (const text of [entry.title, entry.explanation]) expect(text).not.toContain('`');
    expect((entry.action.match(/`/g) ?? []).length % 2).toBe(0);
    for (const match of entry.action.matchAll(/`[^`]+`/g)) {
      expect(entry.action.slice(0, match.index).trimEnd()).toMatch(/:$/);
    }
  });

  it('says what to do wherever it is shown: never “Open the account page” (it is shown on that page too)', () => {
    for (const [, entry] of entries) expect(entry.action).not.toMatch(/Open the account page/i);
  });

  it('names the real mailbox in the PowerShell commands it gives', () => {
    const commands = adviceParts(MAIL_CATALOG['smtp.535_5_7_139'](context).action).filter((p) => p.kind === 'command');
    expect(commands.map((c) => c.text)).toEqual([
      // The mailbox's own switch overrides the organisation's, so one command is the whole fix.
      'Set-CASMailbox -Identity agent@contoso.com -SmtpClientAuthenticationDisabled $false',
    ]);
  });
});

describe('advice that is true', () => {
  const work: ErrorContext = { mailbox: 'alice@contoso.com', imapUser: 'alice@contoso.com' };
  const shared: ErrorContext = { mailbox: 'agent@contoso.com', imapUser: 'support@contoso.com' };
  const personal: ErrorContext = { mailbox: 'sam@outlook.com', imapUser: 'sam@outlook.com', personal: true };
  // What Exchange Online sends for every IMAP sign-in failure (MicrosoftDocs/office-developer-exchange-docs#87).
  const authenticateFailed = {
    message: 'Command failed',
    authenticationFailed: true,
    response: 'NO AUTHENTICATE failed.',
  };
  // After AUTHENTICATE, for a user= the token may not open (simonrob/email-oauth2-proxy#74).
  const notConnected = { message: 'Command failed', responseText: 'User is authenticated but not connected.' };
  const everything = (e: ErrorAdvice) => `${e.title} ${e.explanation} ${e.action}`;
  const POWERSHELL = /\b(?:Get|Set|Add|Remove)-[A-Z][A-Za-z]+\b|PowerShell/;

  it('“AUTHENTICATE failed” never says the token is valid and lists the causes in order, each with its check', () => {
    const advice = explainImapError(authenticateFailed, work);
    expect(advice.code).toBe('imap.authenticate_failed');
    expect(everything(advice)).not.toMatch(/token is (?:valid|fine|accepted)\b(?! and the licence)|valid token/i);
    expect(advice.explanation).toMatch(/same answer/);
    const order = [
      /Send test message/, // what tells a bad token apart from the rest
      /Get-CASMailbox -Identity alice@contoso\.com \| Format-List ImapEnabled/,
      /Licenses and apps/,
      /click Re-authenticate/,
      /IMAP\.AccessAsUser\.All/,
    ].map((pattern) => advice.action.search(pattern));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // A shared mailbox adds the Full Access check; a user mailbox does not.
    expect(advice.action).not.toMatch(/Add-MailboxPermission/);
    expect(explainImapError(authenticateFailed, shared).action).toContain(
      'Add-MailboxPermission -Identity support@contoso.com -User agent@contoso.com -AccessRights FullAccess',
    );
  });

  it('a delegate without Full Access gets Add-MailboxPermission, not IMAP or licence advice', () => {
    const advice = explainImapError(notConnected, shared);
    expect(advice.code).toBe('imap.not_connected');
    expect(advice.title).toBe('agent@contoso.com may not open the shared mailbox support@contoso.com.');
    const commands = adviceParts(advice.action).filter((part) => part.kind === 'command');
    expect(commands.map((c) => c.text)).toEqual([
      'Add-MailboxPermission -Identity support@contoso.com -User agent@contoso.com -AccessRights FullAccess -InheritanceType All',
    ]);
    expect(everything(advice)).not.toMatch(/ImapEnabled|licen[cs]e|IMAP is (?:off|disabled)/i);
  });

  it('a personal account is told where Outlook.com turns IMAP on, with no PowerShell', () => {
    for (const error of [authenticateFailed, notConnected]) {
      const advice = explainImapError(error, personal);
      expect(advice.whoActs).toBe('mailbox_owner');
      expect(advice.action).toContain('Settings → Mail → Forwarding and IMAP');
      expect(advice.action).toContain('“Let devices and apps use IMAP”');
      expect(everything(advice)).not.toMatch(POWERSHELL);
      expect(advice.link?.href).toContain('support.microsoft.com');
    }
  });

  it.each(Object.keys(MAIL_CATALOG))('%s names no PowerShell or admin center for a personal account', (code) => {
    const advice = MAIL_CATALOG[code as keyof typeof MAIL_CATALOG]({ ...personal, fromAddress: 'x@example.com' });
    expect(everything(advice)).not.toMatch(POWERSHELL);
    expect(everything(advice)).not.toMatch(/admin center/i);
  });

  it('knows a personal account from its tenant id', () => {
    const account = {
      id: '00000000-0000-4000-8000-000000000001',
      signInAddress: 'sam@outlook.com',
      imapUser: 'sam@outlook.com',
      consecutiveFailures: 0,
      status: 'active',
    } as SyncAccount;
    const forPersonal = classifyFailure(authenticateFailed, 'imap', {
      ...account,
      tenantId: '9188040D-6C67-4C5B-B112-36A304B66DAD',
    });
    expect(forPersonal.hint).toContain('Forwarding and IMAP');
    const forWork = classifyFailure(authenticateFailed, 'imap', {
      ...account,
      tenantId: 'c0ffee00-0000-4000-8000-000000000000',
    });
    expect(forWork.hint).toContain('Get-CASMailbox');
  });

  it('only ever tells people to click buttons the console has', () => {
    const buttons = [
      'Re-authenticate',
      'Sync now',
      'Verify mail flow',
      'Send test message',
      'Add account',
      'Add shared mailbox',
      'Request admin consent',
      'Try again',
      'Enable',
      'Disable',
      'Save settings',
    ];
    const contexts = [work, shared, personal, { ...shared, personal: true }];
    const texts = contexts.flatMap((ctx) => [
      ...Object.values(MAIL_CATALOG).map((entry) => entry({ ...ctx, fromAddress: 'x@example.com' }).action),
      ...Object.values(AADSTS_CATALOG).map((entry) => advice(entry).action),
      ...Object.values(OAUTH_CATALOG).map((entry) => advice(entry).action),
    ]);
    for (const text of texts) {
      for (const match of text.matchAll(/\bclick (.+)/gi)) {
        expect(
          buttons.some((button) => match[1]!.startsWith(button)),
          `“click ${match[1]!.slice(0, 30)}…”`,
        ).toBe(true);
      }
    }
  });
});
