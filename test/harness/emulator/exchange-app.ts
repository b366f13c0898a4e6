/**
 * Exchange Online's decision on an app-only token over IMAP or SMTP, following "Use client credentials grant flow to
 * authenticate SMTP, IMAP and POP connections"
 * (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections):
 * the token must be Exchange Online's (an Outlook resource audience) with the protocol's application permission in
 * `roles`, the app registered in Exchange (`New-ServicePrincipal`) and holding a mailbox permission
 * (`Add-MailboxPermission … -AccessRights FullAccess`) on the mailbox the XOAUTH2 `user=` names. Exchange answers
 * every missing piece alike (IMAP `NO AUTHENTICATE failed.`, SMTP `535 5.7.3 Authentication unsuccessful`;
 * jstedfast/MailKit#1811, MicrosoftDocs/office-developer-exchange-docs#87); the docs do not say whether a missing
 * mailbox permission could instead log in and fail later, so the stand-in refuses the login, the stricter case.
 */
import type { AccessTokenGrant } from './grants';
import type { HarnessUser } from './model';
import type { EmulatorState } from './state';

export const IMAP_APP_ROLE = 'IMAP.AccessAsApp';
export const SMTP_APP_ROLE = 'SMTP.SendAsApp';

/** An app-only token for Exchange Online, whatever it may open: known, unexpired, unrevoked. */
export function liveExchangeAppGrant(state: EmulatorState, token: string): AccessTokenGrant | undefined {
  const grant = state.grants.findAccessToken(token);
  if (!grant?.app || grant.revoked || grant.expiresAt <= state.now()) return undefined;
  return state.settings.outlookResources.includes(grant.app.audience) ? grant : undefined;
}

/** The mailbox `login` names, when this app-only token may open it with `role`; undefined otherwise. */
export function appMailbox(
  state: EmulatorState,
  token: string,
  login: string,
  role: typeof IMAP_APP_ROLE | typeof SMTP_APP_ROLE,
): HarnessUser | undefined {
  const grant = liveExchangeAppGrant(state, token);
  if (!grant?.app || !grant.app.roles.includes(role)) return undefined;
  const app = state.directory.findApp(grant.clientId);
  if (!app?.exchangeServicePrincipal) return undefined;
  const mailbox = state.directory.mailboxByLogin(login);
  if (!mailbox || mailbox.tenantId !== grant.app.tenantId) return undefined;
  return app.mailboxPermissions.includes(mailbox.address) ? mailbox : undefined;
}
