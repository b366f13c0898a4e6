import { describe, expect, it } from 'vitest';
import { adviceParts } from '@/lib/format/advice';
import { AADSTS_CATALOG, OAUTH_CATALOG, type CatalogEntry } from '@/lib/microsoft/error-catalog';
import type { ErrorContext } from '@/lib/microsoft/errors';
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
