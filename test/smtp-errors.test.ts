import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpTransport } from '@/lib/mail/smtp';
import { explainSmtpError } from '@/lib/microsoft/errors';
import { startHarness, type Harness } from '@/test/harness/fixture';

/** The product's SMTP transport against the stand-in's Exchange answers, and what the console makes of each. */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    tenants: [{ domain: 'fabrikam.test', smtpAuthDisabled: true }],
    users: [
      { address: 'alice@contoso.test', signInName: 'a.admin@contoso.onmicrosoft.test' },
      { address: 'erin@contoso.test', smtpAuthDisabled: true },
      { address: 'max@fabrikam.test' },
      { address: 'pat@outlook.test', kind: 'personal' },
      { address: 'tiny@contoso.test', maxSendBytes: 1_000 },
      { address: 'support@contoso.test', kind: 'shared', fullAccess: ['alice@contoso.test'] },
    ],
  });
});
afterAll(() => harness.stop());

async function explainSend(
  owner: string,
  login: string,
  message: { from: string; text?: string },
  options: { scopes?: string[]; imapUser?: string } = {},
): Promise<ReturnType<typeof explainSmtpError>> {
  const { scopes, imapUser = login } = options;
  const { access_token: accessToken } = await harness.control.issueTokens({ address: owner, scopes });
  const transport = createSmtpTransport({
    host: '127.0.0.1',
    port: harness.smtpPort,
    security: 'none',
    user: login,
    accessToken,
  });
  try {
    await transport.sendMail({ to: 'alice@contoso.test', subject: 'check', text: 'hello', ...message });
  } catch (error) {
    return explainSmtpError(error, { mailbox: login, imapUser, fromAddress: message.from });
  } finally {
    transport.close();
  }
  throw new Error('the stand-in accepted the message');
}

describe('Exchange Online SMTP refusals, explained', () => {
  it('5.7.3: a token without SMTP.Send, fixed by the permission and re-authentication', async () => {
    const e = await explainSend(
      'alice@contoso.test',
      'a.admin@contoso.onmicrosoft.test',
      { from: 'alice@contoso.test' },
      {
        scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All'],
      },
    );
    expect(e.code).toBe('smtp.535_5_7_3');
    expect(e.action).toContain('SMTP.Send');
  });

  it('5.7.139 for the mailbox and for the tenant, each with the one Set-CASMailbox command', async () => {
    const mailbox = await explainSend('erin@contoso.test', 'erin@contoso.test', { from: 'erin@contoso.test' });
    expect(mailbox.code).toBe('smtp.535_5_7_139');
    expect(mailbox.action).toMatch(
      /: `Set-CASMailbox -Identity erin@contoso\.test -SmtpClientAuthenticationDisabled \$false`$/,
    );
    const tenant = await explainSend('max@fabrikam.test', 'max@fabrikam.test', { from: 'max@fabrikam.test' });
    expect(tenant.code).toBe('smtp.535_5_7_139_tenant');
  });

  it('5.7.60 when a work mailbox sends From its sign-in name, 5.2.252 on Outlook.com', async () => {
    const upn = await explainSend('alice@contoso.test', 'a.admin@contoso.onmicrosoft.test', {
      from: 'a.admin@contoso.onmicrosoft.test',
    });
    expect(upn).toMatchObject({ code: 'smtp.send_as_denied', raw: expect.stringContaining('5.7.60') });
    expect(upn.action).toContain('Correct the mailbox address');
    const personal = await explainSend('pat@outlook.test', 'pat@outlook.test', { from: 'alice@contoso.test' });
    expect(personal).toMatchObject({ code: 'smtp.send_as_denied', raw: expect.stringContaining('5.2.252') });
  });

  it('Send As on a shared mailbox names the Add-RecipientPermission grant', async () => {
    const e = await explainSend(
      'alice@contoso.test',
      'a.admin@contoso.onmicrosoft.test',
      { from: 'support@contoso.test' },
      { imapUser: 'support@contoso.test' },
    );
    expect(e.code).toBe('smtp.send_as_denied');
    expect(e.action).toContain(
      '`Add-RecipientPermission -Identity support@contoso.test -Trustee a.admin@contoso.onmicrosoft.test -AccessRights SendAs`',
    );
  });

  it('a message over the mailbox’s send limit names Set-Mailbox -MaxSendSize', async () => {
    const e = await explainSend('tiny@contoso.test', 'tiny@contoso.test', {
      from: 'tiny@contoso.test',
      text: 'x'.repeat(2_000),
    });
    expect(e.code).toBe('smtp.message_too_large');
    expect(e.action).toContain('`Set-Mailbox -Identity tiny@contoso.test -MaxSendSize 150MB`');
  });
});
