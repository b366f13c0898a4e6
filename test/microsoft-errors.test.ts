import { describe, expect, it } from 'vitest';
import {
  aadstsCode,
  isConsentProblem,
  explainIdentityError,
  explainImapError,
  explainMsalError,
  explainSmtpError,
  type ExplainedError,
} from '@/lib/microsoft/errors';

const callbackUrl = 'https://mail.example.com/api/v1/external_credentials/microsoft365/callback';

/** Microsoft's error_description as the callback receives it. */
const aad = (code: number, text: string) =>
  `AADSTS${code}: ${text}\r\nTrace ID: 0b1c\r\nCorrelation ID: 42\r\nTimestamp: 2025-01-01 00:00:00Z`;

function expectActionable(explained: ExplainedError) {
  for (const field of [explained.title, explained.explanation, explained.action]) {
    expect(field.length).toBeGreaterThan(10);
    expect(field).not.toMatch(/AADSTS\d+:/); // Microsoft's text is never the headline
  }
}

describe('aadstsCode', () => {
  it('finds the code in Microsoft text', () => {
    expect(aadstsCode('AADSTS7000222: The provided client secret keys for app x are expired.')).toBe('AADSTS7000222');
    expect(aadstsCode('invalid_grant: AADSTS700082: The refresh token has expired')).toBe('AADSTS700082');
    expect(aadstsCode('no code here')).toBeUndefined();
  });
});

describe('explainIdentityError', () => {
  it('shows the exact callback URL to register for a redirect URI mismatch', () => {
    const e = explainIdentityError(
      { error: 'invalid_request', errorDescription: aad(50011, "The redirect URI 'x' does not match") },
      { callbackUrl },
    );
    expect(e).toMatchObject({ code: 'AADSTS50011', scope: 'config', whoActs: 'azure_admin' });
    expect(e.action).toContain(callbackUrl);
    expect(e.action).toContain('Web');
    expectActionable(e);
  });

  it.each([
    [65001, "The user or administrator has not consented to use the application with ID 'x'."],
    [90094, 'Admin consent is required for the permissions requested by this application.'],
  ])('asks for admin consent on AADSTS%i', (code, text) => {
    const e = explainIdentityError({ error: 'consent_required', errorDescription: aad(code, text) });
    expect(e).toMatchObject({ code: `AADSTS${code}`, needsAdminConsent: true, whoActs: 'azure_admin' });
  });

  it('says an expired secret affects the whole app and mailboxes stay connected', () => {
    const e = explainIdentityError({
      error: 'invalid_client',
      errorDescription: aad(7000222, "The provided client secret keys for app 'x' are expired."),
    });
    expect(e).toMatchObject({ code: 'AADSTS7000222', scope: 'app' });
    expect(e.title).toMatch(/expired/);
    expect(e.action).toMatch(/new client secret/i);
    expect(e.action).toMatch(/stay connected/);
  });

  it('points at the secret Value vs Secret ID mix-up for an invalid secret', () => {
    const e = explainIdentityError({
      error: 'invalid_client',
      errorDescription: aad(7000215, 'Invalid client secret provided.'),
    });
    expect(e).toMatchObject({ code: 'AADSTS7000215', scope: 'app' });
    expect(e.explanation).toMatch(/Secret ID/);
  });

  it('tells to register the callback as Web, not SPA, on AADSTS9002327 (and 9002325)', () => {
    for (const [code, text] of [
      [
        9002327,
        "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
      ],
      [9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.'],
    ] as const) {
      const e = explainIdentityError({ error: 'invalid_request', errorDescription: aad(code, text) }, { callbackUrl });
      expect(e.code).toBe(`AADSTS${code}`);
      expect(e.action).toMatch(/Single-page application/);
      expect(e.action).toContain(callbackUrl);
    }
  });

  it('says which setting to change when account type and tenant disagree', () => {
    const single = explainIdentityError(
      {
        error: 'invalid_request',
        errorDescription: aad(50194, "Application 'x' is not configured as a multi-tenant application."),
      },
      { tenant: 'organizations' },
    );
    expect(single.action).toMatch(/Directory \(tenant\) ID/);
    expect(single.explanation).toContain('“organizations”');

    const personal = explainIdentityError(
      {
        error: 'invalid_request',
        errorDescription: aad(
          50020,
          "User account 'bob@outlook.com' from identity provider 'live.com' does not exist in tenant 'Contoso'",
        ),
      },
      { tenant: 'contoso.onmicrosoft.com' },
    );
    expect(personal.title).toMatch(/personal/);
    expect(personal.action).toContain('leave the tenant empty in the console (it means “common”)');

    const foreign = explainIdentityError({
      error: 'invalid_request',
      errorDescription: aad(
        50020,
        "User account 'a@fabrikam.com' from identity provider 'https://sts.windows.net/x/' does not exist in tenant 'Contoso'",
      ),
    });
    expect(foreign.action).toContain('`organizations`');

    const notFound = explainIdentityError({
      error: 'unauthorized_client',
      errorDescription: aad(700016, "Application with identifier 'x' was not found in the directory 'y'."),
    });
    expect(notFound).toMatchObject({ code: 'AADSTS700016', scope: 'config', whoActs: 'console_admin' });
    expect(notFound.action).toMatch(/Application \(client\) ID/);
  });

  it.each([50173, 700082, 70008, 54005])('sends AADSTS%i to re-authentication of that account only', (code) => {
    const e = explainIdentityError(
      { error: 'invalid_grant', errorDescription: aad(code, 'grant problem') },
      { mailbox: 'sales@contoso.com' },
    );
    expect(e).toMatchObject({ code: `AADSTS${code}`, scope: 'account' });
    expect(e.action).toContain('sales@contoso.com');
  });

  it('treats an unlisted invalid_grant as an account problem with a lookup link', () => {
    const e = explainIdentityError({ error: 'invalid_grant', errorDescription: aad(1234567, 'Something new') });
    expect(e).toMatchObject({ code: 'AADSTS1234567', scope: 'account' });
    expect(e.link?.href).toBe('https://login.microsoftonline.com/error?code=1234567');
  });

  it.each([50076, 50079])('treats MFA requirement AADSTS%i as account-level', (code) => {
    expect(explainIdentityError({ error: 'invalid_grant', errorDescription: aad(code, 'MFA') }).scope).toBe('account');
  });

  it('explains Conditional Access, missing tenants and mixed scopes', () => {
    expect(
      explainIdentityError({
        error: 'invalid_grant',
        errorDescription: aad(53003, 'Access has been blocked by Conditional Access policies.'),
      }),
    ).toMatchObject({ scope: 'account', whoActs: 'azure_admin' });
    expect(
      explainIdentityError(
        { error: 'invalid_request', errorDescription: aad(90002, "Tenant 'x' not found.") },
        { tenant: 'contso.com' },
      ).explanation,
    ).toContain('contso.com');
    expect(
      explainIdentityError({ error: 'invalid_scope', errorDescription: aad(28000, 'more than one resource') })
        .explanation,
    ).toMatch(/outlook\.office\.com/);
  });

  it('reads the AADSTS number from error codes when the text has none', () => {
    expect(explainIdentityError({ error: 'invalid_grant', errorCodes: [700082] }).code).toBe('AADSTS700082');
  });

  it('offers admin consent whenever consent is the cause, and never claims a bare cancel was only a cancel', () => {
    const bare = explainIdentityError({ error: 'access_denied', subError: 'cancel' });
    expect(bare).toMatchObject({ code: 'access_denied', needsAdminConsent: true });
    expect(bare.explanation).toContain('Need admin approval');
    const declined = explainIdentityError({
      error: 'access_denied',
      errorDescription: aad(65004, 'User declined to consent to access the app.'),
    });
    expect(declined).toMatchObject({ code: 'AADSTS65004', needsAdminConsent: true, scope: 'account' });
    expect(declined.title).toMatch(/declined/);
  });

  it('knows which stored error codes an administrator’s consent fixes', () => {
    for (const code of ['AADSTS65001', 'AADSTS90094', 'AADSTS65004', 'access_denied', 'consent_required'])
      expect(isConsentProblem(code), code).toBe(true);
    for (const code of ['AADSTS700082', 'AADSTS7000222', 'imap.authenticate_failed', 'network'])
      expect(isConsentProblem(code), code).toBe(false);
  });

  it('treats temporarily_unavailable and server errors as transient', () => {
    expect(explainIdentityError({ error: 'temporarily_unavailable' }).scope).toBe('transient');
    expect(explainIdentityError({ error: 'server_error' }).scope).toBe('transient');
    expect(explainIdentityError({ error: 'weird', httpStatus: 503 }).scope).toBe('transient');
  });

  it('still says something useful for a completely unknown error', () => {
    const e = explainIdentityError({ error: 'something_new', errorDescription: 'Whatever happened' });
    expect(e).toMatchObject({ code: 'something_new', scope: 'transient' });
    expectActionable(e);
    expect(e.raw).toContain('Whatever happened');
    expect(explainIdentityError({}).code).toBe('unknown');
  });
});

describe('explainMsalError', () => {
  it('reads msal-node ServerError fields', () => {
    const error = Object.assign(
      new Error('invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.'),
      {
        errorCode: 'invalid_grant',
        errorMessage: 'AADSTS700082: The refresh token has expired due to inactivity. Trace ID: x',
        subError: '',
        errorNo: '700082',
      },
    );
    expect(explainMsalError(error, { mailbox: 'a@contoso.com' })).toMatchObject({
      code: 'AADSTS700082',
      scope: 'account',
    });
  });

  it('maps an expired secret to the app scope', () => {
    const error = {
      errorCode: 'invalid_client',
      errorMessage: "AADSTS7000222: The provided client secret keys for app 'x' are expired.",
    };
    expect(explainMsalError(error).scope).toBe('app');
  });

  it('treats interaction_required without a code as re-authentication', () => {
    expect(explainMsalError({ errorCode: 'interaction_required', errorMessage: '', subError: 'bad_token' }).scope).toBe(
      'account',
    );
    expect(
      explainMsalError({ errorCode: 'no_tokens_found', errorMessage: 'No refresh token found in the cache.' }).scope,
    ).toBe('account');
  });

  it('treats ClientAuthError network failures as transient', () => {
    expect(
      explainMsalError({
        errorCode: 'network_error',
        errorMessage: 'Network request failed',
        message: 'network_error',
      }),
    ).toMatchObject({ code: 'network', scope: 'transient' });
    expect(explainMsalError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })).code).toBe(
      'network',
    );
  });

  it('honours Retry-After on a throttled token request', () => {
    expect(
      explainMsalError({
        errorCode: 'unknown',
        errorMessage: 'Too many requests',
        status: 429,
        responseHeaders: { 'Retry-After': '30' },
      }),
    ).toMatchObject({ code: 'throttled', retryAfterMs: 30_000 });
  });

  it('never puts tokens in raw', () => {
    const e = explainMsalError({
      errorCode: 'invalid_grant',
      errorMessage:
        'AADSTS70000: bad refresh_token=0.AXYZsecret&client_secret=abc~123 Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.eyJzdWIiOiIxIn0.sig',
    });
    expect(e.raw).not.toMatch(/0\.AXYZsecret|abc~123|eyJ0eXAi/);
    expect(e.raw).toContain('[redacted]');
  });
});

describe('explainImapError', () => {
  const authFailure = (response: string) =>
    Object.assign(new Error('Authentication failed'), { authenticationFailed: true, response });

  it('explains AUTHENTICATE failed with the PowerShell check', () => {
    const e = explainImapError(authFailure('AUTHENTICATE failed.'), { mailbox: 'sales@contoso.com' });
    expect(e).toMatchObject({ code: 'imap.authenticate_failed', scope: 'config' });
    expect(e.action).toContain('Get-CASMailbox -Identity sales@contoso.com | Format-List ImapEnabled');
    expect(e.action).toMatch(/IMAP.AccessAsUser.All/);
    expect(e.explanation).toMatch(/licence/);
  });

  it('recognises the AUTHENTICATIONFAILED response code', () => {
    expect(explainImapError({ message: 'Command failed', serverResponseCode: 'AUTHENTICATIONFAILED' }).code).toBe(
      'imap.authenticate_failed',
    );
  });

  it('points at shared mailbox access for "authenticated but not connected"', () => {
    const e = explainImapError(authFailure('User is authenticated but not connected.'), {
      mailbox: 'agent@contoso.com',
      imapUser: 'support@contoso.com',
    });
    expect(e.code).toBe('imap.not_connected');
    expect(e.explanation).toContain('support@contoso.com');
    expect(e.action).toContain(
      'Add-MailboxPermission -Identity support@contoso.com -User agent@contoso.com -AccessRights FullAccess',
    );
  });

  it('honours Exchange throttling backoff', () => {
    const text = {
      message: 'Command failed',
      responseText: 'Request is throttled. Suggested Backoff Time: 299961 milliseconds',
    };
    expect(explainImapError(text)).toMatchObject({ code: 'throttled', scope: 'transient', retryAfterMs: 299961 });
    expect(explainImapError({ message: 'Command failed', code: 'ETHROTTLE', throttleReset: 12000 }).retryAfterMs).toBe(
      12000,
    );
  });

  it.each(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'NoConnection', 'GREETING_TIMEOUT'])(
    'treats %s as a transient network failure',
    (code) => {
      expect(explainImapError(Object.assign(new Error(`connect ${code} 1.2.3.4:993`), { code }))).toMatchObject({
        code: 'network',
        scope: 'transient',
      });
    },
  );

  it('treats BYE and expired sessions as transient', () => {
    expect(explainImapError({ message: 'Connection closed', response: '* BYE Connection closed. 14' })).toMatchObject({
      code: 'imap.bye',
      scope: 'transient',
    });
    expect(
      explainImapError({ message: 'Unexpected close', response: '* BYE Session invalidated - AccessTokenExpired' })
        .code,
    ).toBe('imap.session_expired');
  });

  it('reports a missing folder and TLS trouble as settings to fix', () => {
    expect(explainImapError({ message: 'Mailbox does not exist', mailboxMissing: true }).scope).toBe('config');
    // STATUS of a missing folder: imapflow's NotFound, thrown after its LIST found nothing.
    expect(
      explainImapError(Object.assign(new Error("Mailbox doesn't exist: Projects"), { code: 'NotFound' })).code,
    ).toBe('imap.folder_missing');
    expect(
      explainImapError({ message: 'self signed certificate in certificate chain', code: 'SELF_SIGNED_CERT_IN_CHAIN' })
        .code,
    ).toBe('tls');
  });

  it('hands token failures wrapped in an IMAP error to the identity explainer', () => {
    expect(
      explainImapError(new Error('invalid_grant: AADSTS50173: The provided grant has expired due to it being revoked'))
        .code,
    ).toBe('AADSTS50173');
  });

  it('falls back to a useful unknown error', () => {
    const e = explainImapError('something odd');
    expect(e).toMatchObject({ code: 'imap.unknown', scope: 'transient', raw: 'something odd' });
    expectActionable(e);
    expect(explainImapError(undefined).code).toBe('imap.unknown');
  });
});

describe('explainSmtpError', () => {
  const smtp = (responseCode: number, response: string, code = 'EAUTH') =>
    Object.assign(new Error(`Invalid login: ${response}`), { code, responseCode, response, command: 'AUTH XOAUTH2' });

  it('names the mailbox switch or the tenant switch of 535 5.7.139, each with its one command', () => {
    const mailboxOff = explainSmtpError(
      smtp(
        535,
        '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled',
      ),
      { mailbox: 'sales@contoso.com' },
    );
    expect(mailboxOff).toMatchObject({ code: 'smtp.535_5_7_139', scope: 'config' });
    expect(mailboxOff.action).toBe(
      'In Exchange Online PowerShell: `Set-CASMailbox -Identity sales@contoso.com -SmtpClientAuthenticationDisabled $false`',
    );
    const tenantOff = explainSmtpError(
      smtp(535, '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.'),
      { mailbox: 'sales@contoso.com' },
    );
    expect(tenantOff.code).toBe('smtp.535_5_7_139_tenant');
    expect(tenantOff.title).toContain('whole organisation');
  });

  it('explains 535 5.7.3 as a missing SMTP.Send permission', () => {
    const e = explainSmtpError(
      smtp(535, '535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]'),
    );
    expect(e.code).toBe('smtp.535_5_7_3');
    expect(e.action).toMatch(/SMTP\.Send/);
  });

  it('explains SendAsDenied for a delegate with the Send As grant', () => {
    const e = explainSmtpError(
      smtp(
        554,
        '554 5.2.252 SendAsDenied; agent@contoso.com not allowed to send as support@contoso.com; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied',
        'EMESSAGE',
      ),
      { mailbox: 'agent@contoso.com', imapUser: 'support@contoso.com', fromAddress: 'support@contoso.com' },
    );
    expect(e.code).toBe('smtp.send_as_denied');
    expect(e.action).toBe(
      'In Exchange Online PowerShell: `Add-RecipientPermission -Identity support@contoso.com -Trustee agent@contoso.com -AccessRights SendAs`',
    );
  });

  it('explains 5.7.60 on a user mailbox as a From address that is not the mailbox’s', () => {
    const e = explainSmtpError(
      smtp(550, '550 5.7.60 SMTP; Client does not have permissions to send as this sender', 'EMESSAGE'),
      { mailbox: 'a.admin@contoso.onmicrosoft.com', fromAddress: 'a.admin@contoso.onmicrosoft.com' },
    );
    expect(e.code).toBe('smtp.send_as_denied');
    expect(e.action).toContain('Correct the mailbox address');
  });

  it('maps EAUTH without a known status to an account problem', () => {
    expect(explainSmtpError(smtp(535, '535 Authentication failed')).code).toBe('smtp.auth_failed');
  });

  it('treats connection failures as transient', () => {
    expect(
      explainSmtpError(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })),
    ).toMatchObject({ code: 'network', scope: 'transient' });
    expect(explainSmtpError(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' })).code).toBe(
      'network',
    );
  });

  it('treats 4xx replies and sending quotas as transient', () => {
    expect(explainSmtpError(smtp(421, '421 4.3.2 Service not available', 'EENVELOPE')).scope).toBe('transient');
    expect(explainSmtpError(smtp(550, '550 5.4.5 Daily user sending quota exceeded', 'EENVELOPE')).code).toBe(
      'smtp.quota',
    );
  });

  it('does not mistake 5.7.30 for 5.7.3', () => {
    expect(explainSmtpError(smtp(550, '550 5.7.30 Something else', 'EENVELOPE')).code).toBe('smtp.unknown');
  });

  it('redacts an echoed XOAUTH2 string', () => {
    const xoauth = Buffer.from('user=a@b.c\x01auth=Bearer abc.def\x01\x01').toString('base64');
    expect(explainSmtpError(smtp(535, `535 5.7.3 Authentication unsuccessful ${xoauth}`)).raw).not.toContain(xoauth);
  });
});
