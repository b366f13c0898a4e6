import { describe, expect, it } from 'vitest';
import type { IdTokenClaims } from '@/lib/microsoft/id-token';
import { mailboxIdentity, PERSONAL_ACCOUNTS_TENANT } from '@/lib/microsoft/mailbox-identity';

const TENANT = 'c0ffee00-1111-4222-8333-444455556666';
const claims = (extra: Partial<IdTokenClaims>): IdTokenClaims => ({
  tid: TENANT,
  iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  ...extra,
});

describe('mailboxIdentity', () => {
  it('logs in with the UPN and suggests the email claim as the mailbox address', () => {
    expect(
      mailboxIdentity(claims({ preferred_username: 'A.Admin@contoso.onmicrosoft.com', email: 'Alice@contoso.com' })),
    ).toEqual({
      kind: 'member',
      loginName: 'a.admin@contoso.onmicrosoft.com',
      signInName: 'a.admin@contoso.onmicrosoft.com',
      mailboxAddress: 'alice@contoso.com',
      addressSource: 'email_claim',
    });
  });

  it('falls back to the sign-in name when there is no email claim', () => {
    expect(mailboxIdentity(claims({ preferred_username: 'bob@contoso.com' }))).toMatchObject({
      loginName: 'bob@contoso.com',
      mailboxAddress: 'bob@contoso.com',
      addressSource: 'sign_in_name',
    });
  });

  it('logs a phone-number sign-in in with the account’s e-mail address', () => {
    const personal = {
      tid: PERSONAL_ACCOUNTS_TENANT,
      iss: `https://login.microsoftonline.com/${PERSONAL_ACCOUNTS_TENANT}/v2.0`,
    };
    expect(
      mailboxIdentity({ ...personal, preferred_username: '+14255550100', email: 'dana@outlook.com' }),
    ).toMatchObject({
      loginName: 'dana@outlook.com',
      signInName: '+14255550100',
      mailboxAddress: 'dana@outlook.com',
    });
    expect(mailboxIdentity({ ...personal, preferred_username: '+14255550100' })).toEqual({ kind: 'unknown' });
  });

  it('tells a guest from a member by the tenant its idp names', () => {
    const member = claims({ preferred_username: 'bob@contoso.com', idp: `https://sts.windows.net/${TENANT}/` });
    expect(mailboxIdentity(member).kind).toBe('member');
    const guest = claims({
      preferred_username: 'carol@fabrikam.com',
      email: 'carol@fabrikam.com',
      idp: 'https://sts.windows.net/aaaaaaaa-1111-4222-8333-444455556666/',
    });
    expect(mailboxIdentity(guest)).toEqual({ kind: 'guest', signInName: 'carol@fabrikam.com' });
    expect(mailboxIdentity(claims({ preferred_username: 'pat@outlook.com', idp: 'live.com' })).kind).toBe('guest');
  });
});
