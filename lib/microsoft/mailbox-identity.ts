/**
 * Who signed in and which mailbox that is, from verified id token claims. The sign-in name (`preferred_username`,
 * the UPN) is what XOAUTH2 `user=` carries; the mailbox address (From, Verify, display) is a different thing in
 * many tenants (UPN on onmicrosoft.com, mail on the company domain). Pure: no I/O.
 */
import type { IdTokenClaims } from '@/lib/microsoft/id-token';

/** The tenant every personal Microsoft account carries in `tid` (id-token-claims-reference, `iss`). */
export const PERSONAL_ACCOUNTS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** Whether an account's tenant id (`tid`) is the personal-accounts tenant: an Outlook.com account. */
export function isPersonalAccount(tenantId: string | null | undefined): boolean {
  return tenantId?.toLowerCase() === PERSONAL_ACCOUNTS_TENANT;
}

export type AddressSource = 'email_claim' | 'sign_in_name';

export type MailboxIdentity =
  | {
      kind: 'member';
      /** XOAUTH2 `user=` and SMTP AUTH: the UPN, or the account's e-mail when the sign-in name is not one. */
      loginName: string;
      /** `preferred_username` as Microsoft sent it (a UPN, another address, a phone number). */
      signInName: string;
      /** The suggested mailbox address; the admin confirms or corrects it at the end of connect. */
      mailboxAddress: string;
      addressSource: AddressSource;
    }
  | { kind: 'guest'; signInName: string }
  | { kind: 'unknown' };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export function isEmailAddress(value: string | undefined): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value);
}

/**
 * The `email` claim when present (Microsoft: "request this data from the user directly by using this claim as a
 * suggestion or prefill", id-token-claims-reference), else the sign-in name. EmailEngine resolves it the same way
 * (postalsys/emailengine lib/oauth/outlook-identity.js). `preferred_username` may be a phone number or a handle
 * (NuGetGallery#7565); then the e-mail claim is the only usable login name.
 */
export function mailboxIdentity(claims: IdTokenClaims): MailboxIdentity {
  const signInName = (claims.preferred_username ?? '').trim().toLowerCase();
  const email = claims.email?.trim().toLowerCase();
  if (isGuest(claims)) return { kind: 'guest', signInName: signInName || email || 'this account' };
  const loginName = isEmailAddress(signInName) ? signInName : isEmailAddress(email) ? email : undefined;
  if (!loginName) return { kind: 'unknown' };
  return isEmailAddress(email)
    ? { kind: 'member', loginName, signInName, mailboxAddress: email, addressSource: 'email_claim' }
    : { kind: 'member', loginName, signInName, mailboxAddress: loginName, addressSource: 'sign_in_name' };
}

/**
 * A B2B guest: `idp` names another directory than `tid` (id-token-claims-reference: `idp` "is identical to the
 * value of the issuer claim unless the user account isn't in the same tenant as the issuer, such as guests";
 * `live.com` or the personal-accounts tenant for an invited personal account). Compared by tenant id, because a
 * member's `idp` may use the v1 STS form of the same tenant.
 */
function isGuest(claims: IdTokenClaims): boolean {
  if (!claims.idp || claims.tid === PERSONAL_ACCOUNTS_TENANT) return false;
  if (/live\.com/i.test(claims.idp)) return true;
  const home = GUID.exec(claims.idp)?.[0]?.toLowerCase();
  return home !== undefined && home !== claims.tid.toLowerCase();
}
