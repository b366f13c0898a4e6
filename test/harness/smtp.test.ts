import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './fixture';
import { sendWithToken, subjectsIn } from './mail-clients';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    tenants: [{ domain: 'fabrikam.test', smtpAuthDisabled: true }],
    users: [
      { address: 'alice@contoso.test' },
      { address: 'bob@contoso.test' },
      { address: 'erin@contoso.test', smtpAuthDisabled: true },
      { address: 'pat@outlook.test', kind: 'personal' },
      { address: 'max@fabrikam.test', tenant: 'fabrikam.test' },
      {
        address: 'support@contoso.test',
        kind: 'shared',
        fullAccess: ['alice@contoso.test', 'bob@contoso.test'],
        sendAs: ['alice@contoso.test'],
      },
    ],
  });
});
afterAll(() => harness.stop());

const send = (authUser: string, message: { from: string; to: string; subject: string; text?: string }) =>
  sendWithToken(harness, authUser, authUser, message);

describe('SMTP submission stand-in', () => {
  it('delivers a message sent with XOAUTH2 into the recipient’s INBOX and keeps a copy in Sent Items', async () => {
    await send('alice@contoso.test', {
      from: 'alice@contoso.test',
      to: 'bob@contoso.test',
      subject: 'Quarterly numbers',
    });
    expect(await subjectsIn(harness, 'bob@contoso.test')).toContain('Quarterly numbers');
    expect(await subjectsIn(harness, 'alice@contoso.test', 'alice@contoso.test', 'Sent Items')).toContain(
      'Quarterly numbers',
    );
  });

  it('answers 535 5.7.139 when SMTP AUTH is disabled for the mailbox', async () => {
    const error = await send('erin@contoso.test', {
      from: 'erin@contoso.test',
      to: 'bob@contoso.test',
      subject: 'blocked',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(String((error as Error).message)).toContain(
      '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled',
    );
  });

  it('turns it on and off per user through the control API', async () => {
    await harness.control.updateUser('bob@contoso.test', { smtpAuthDisabled: true });
    await expect(
      send('bob@contoso.test', { from: 'bob@contoso.test', to: 'alice@contoso.test', subject: 'x' }),
    ).rejects.toMatchObject({ responseCode: 535 });
    await harness.control.updateUser('bob@contoso.test', { smtpAuthDisabled: false });
    await send('bob@contoso.test', { from: 'bob@contoso.test', to: 'alice@contoso.test', subject: 'back on' });
  });

  it('names the tenant when SMTP AUTH is off organisation-wide', async () => {
    const error = await send('max@fabrikam.test', {
      from: 'max@fabrikam.test',
      to: 'bob@contoso.test',
      subject: 'x',
    }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain('SmtpClientAuthentication is disabled for the Tenant.');
  });

  it('refuses a message over the mailbox’s send size limit with the store’s permanent error', async () => {
    await harness.control.updateUser('bob@contoso.test', { maxSendBytes: 2_000 });
    const error = await send('bob@contoso.test', {
      from: 'bob@contoso.test',
      to: 'alice@contoso.test',
      subject: 'big',
      text: 'x'.repeat(3_000),
    }).catch((e: unknown) => e);
    await harness.control.updateUser('bob@contoso.test', { maxSendBytes: 35 * 1024 * 1024 });
    expect(error).toMatchObject({ responseCode: 554 });
    expect(String((error as Error).message)).toContain('MapiExceptionMaxSubmissionExceeded');
  });

  it('refuses Send As on Outlook.com with 554 5.2.252 SendAsDenied', async () => {
    const error = await send('pat@outlook.test', {
      from: 'bob@contoso.test',
      to: 'alice@contoso.test',
      subject: 'x',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ responseCode: 554 });
    expect(String((error as Error).message)).toContain(
      '5.2.252 SendAsDenied; pat@outlook.test not allowed to send as bob@contoso.test',
    );
  });

  it('lets a delegate with Send As send From the shared mailbox and refuses one without (550 5.7.60)', async () => {
    await send('alice@contoso.test', { from: 'support@contoso.test', to: 'bob@contoso.test', subject: 'From support' });
    expect(harness.smtp.sent.at(-1)).toMatchObject({
      authUser: 'alice@contoso.test',
      headerFrom: 'support@contoso.test',
    });
    const error = await send('bob@contoso.test', {
      from: 'support@contoso.test',
      to: 'alice@contoso.test',
      subject: 'not allowed',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ responseCode: 550 });
    expect(String((error as Error).message)).toContain(
      '5.7.60 SMTP; Client does not have permissions to send as this sender',
    );
  });

  it('refuses a token that is not the authenticating user’s', async () => {
    const { access_token: accessToken } = await harness.control.issueTokens({ address: 'alice@contoso.test' });
    const transport = createTransport({
      host: '127.0.0.1',
      port: harness.smtpPort,
      secure: false,
      ignoreTLS: true,
      auth: { type: 'OAuth2', user: 'bob@contoso.test', accessToken },
    });
    await expect(
      transport.sendMail({ from: 'bob@contoso.test', to: 'alice@contoso.test', text: 'x' }),
    ).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });
    transport.close();
  });
});
