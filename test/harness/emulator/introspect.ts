/**
 * What the mail servers ask the emulator. Dovecot's `passdb oauth2` posts `token=` and needs 200 with
 * `"active": false` for a bad token (a 4xx would read as "temporary failure"); the checkpassword script asks
 * which mailbox a token may open under the `user=` it was given (UPN, primary address or a shared mailbox); the
 * SMTP stand-in asks about SMTP AUTH, Send As and where mail to an address lands.
 */
import { sendJson, type RequestContext, type Route } from './http';
import { IMAP_APP_ROLE, SMTP_APP_ROLE, appMailbox, liveExchangeAppGrant } from './exchange-app';
import { IMAP_PERMISSION, SMTP_PERMISSION, hasPermission } from './scopes';
import type { AccessTokenGrant } from './grants';
import type { HarnessUser } from './model';
import type { EmulatorState } from './state';

export function introspectionRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/_harness\/introspect\/imap$/,
      handler: (ctx) => introspect(state, ctx, IMAP_PERMISSION),
    },
    {
      method: 'POST',
      pattern: /^\/_harness\/introspect\/smtp$/,
      handler: (ctx) => introspect(state, ctx, SMTP_PERMISSION),
    },
    { method: 'POST', pattern: /^\/_harness\/mailbox-access$/, handler: (ctx) => mailboxAccess(state, ctx) },
    { method: 'POST', pattern: /^\/_harness\/send-as$/, handler: (ctx) => sendAs(state, ctx) },
    { method: 'POST', pattern: /^\/_harness\/recipient$/, handler: (ctx) => recipient(state, ctx) },
  ];
}

/** A token is live when known, unexpired, unrevoked, carries the permission and its user still exists. */
export function liveGrant(state: EmulatorState, token: string, permission: string): AccessTokenGrant | undefined {
  const grant = state.grants.findAccessToken(token);
  if (!grant || grant.revoked || grant.expiresAt <= state.now()) return undefined;
  if (!hasPermission(grant.scopes, permission) || !state.directory.findUser(grant.address)) return undefined;
  return grant;
}

/**
 * `username` is the token owner's mailbox (what Dovecot names the maildir after), `upn` the name SMTP AUTH must
 * carry. A guest's token is valid but opens nothing: it has no mailbox in the tenant. An app-only token has no
 * owner: it is active only for the mailbox its caller names (`mailbox`, the XOAUTH2 `user=`) when Exchange lets
 * the app open it (./exchange-app.ts); Dovecot's oauth2 passdb names none and so falls through to checkpassword.
 */
function introspect(state: EmulatorState, ctx: RequestContext, permission: string): void {
  const token = ctx.form.get('token') ?? '';
  if (liveExchangeAppGrant(state, token)) {
    const login = (ctx.form.get('mailbox') ?? '').toLowerCase();
    const role = permission === IMAP_PERMISSION ? IMAP_APP_ROLE : SMTP_APP_ROLE;
    const mailbox = login ? appMailbox(state, token, login, role) : undefined;
    const grant = state.grants.findAccessToken(token);
    if (!mailbox || !grant) return sendJson(ctx.res, 200, { active: false });
    // SMTP AUTH's user= is the mailbox as the app named it (its primary address or UPN).
    return sendJson(ctx.res, 200, activeAnswer(state, grant, mailbox, login));
  }
  const grant = liveGrant(state, token, permission);
  const user = grant ? state.directory.findUser(grant.address) : undefined;
  if (!grant || !user || user.kind === 'guest') return sendJson(ctx.res, 200, { active: false });
  sendJson(ctx.res, 200, activeAnswer(state, grant, user, user.upn));
}

function activeAnswer(state: EmulatorState, grant: AccessTokenGrant, user: HarnessUser, upn: string) {
  return {
    active: true,
    username: user.address,
    upn,
    client_id: grant.clientId,
    scope: grant.app ? grant.app.roles.join(' ') : grant.scopes.join(' '),
    exp: Math.floor(grant.expiresAt / 1000),
    smtp_auth_disabled: smtpAuthDisabledFor(state, user),
    max_send_bytes: user.maxSendBytes,
    personal: user.kind === 'personal',
    send_from_alias: state.directory.tenantById(user.tenantId)?.sendFromAliasEnabled ?? false,
  };
}

/**
 * Which SMTP AUTH switch refuses this mailbox: its own (`Set-CASMailbox -SmtpClientAuthenticationDisabled`), else
 * the organisation's (`Set-TransportConfig`); false when neither. Microsoft's wording names which one.
 */
function smtpAuthDisabledFor(state: EmulatorState, user: HarnessUser): 'Mailbox' | 'Tenant' | false {
  if (user.smtpAuthDisabled) return 'Mailbox';
  return state.directory.tenantById(user.tenantId)?.smtpAuthDisabled ? 'Tenant' : false;
}

function mailboxAccess(state: EmulatorState, ctx: RequestContext): void {
  const token = ctx.form.get('token') ?? '';
  const login = (ctx.form.get('mailbox') ?? '').toLowerCase();
  if (liveExchangeAppGrant(state, token)) {
    const mailbox = appMailbox(state, token, login, IMAP_APP_ROLE)?.address;
    return sendJson(ctx.res, 200, mailbox ? { allowed: true, username: mailbox, mailbox } : { allowed: false });
  }
  const grant = liveGrant(state, token, IMAP_PERMISSION);
  const mailbox = grant ? state.directory.openableMailbox(grant.address, login) : undefined;
  sendJson(ctx.res, 200, mailbox ? { allowed: true, username: grant?.address, mailbox } : { allowed: false });
}

function recipient(state: EmulatorState, ctx: RequestContext): void {
  const mailbox = state.directory.recipient(ctx.form.get('address') ?? '');
  sendJson(ctx.res, 200, mailbox ? { mailbox: mailbox.address, primary: mailbox.address } : { mailbox: null });
}

function sendAs(state: EmulatorState, ctx: RequestContext): void {
  const user = ctx.form.get('user') ?? '';
  const from = ctx.form.get('from') ?? '';
  sendJson(ctx.res, 200, { allowed: state.directory.maySendAs(user, from) });
}
