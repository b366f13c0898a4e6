/**
 * What the mail servers ask the emulator. Dovecot's `passdb oauth2` posts `token=` and needs 200 with
 * `"active": false` for a bad token (a 4xx would read as "temporary failure"); the checkpassword script asks
 * whether a token's user may open a shared mailbox; the SMTP stand-in asks about SMTP AUTH and Send As.
 */
import { sendJson, type RequestContext, type Route } from './http';
import { IMAP_PERMISSION, SMTP_PERMISSION, hasPermission } from './scopes';
import type { AccessTokenGrant } from './grants';
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
  ];
}

/** A token is live when known, unexpired, unrevoked, carries the permission and its user still exists. */
export function liveGrant(state: EmulatorState, token: string, permission: string): AccessTokenGrant | undefined {
  const grant = state.grants.findAccessToken(token);
  if (!grant || grant.revoked || grant.expiresAt <= state.now()) return undefined;
  if (!hasPermission(grant.scopes, permission) || !state.directory.findUser(grant.address)) return undefined;
  return grant;
}

function introspect(state: EmulatorState, ctx: RequestContext, permission: string): void {
  const grant = liveGrant(state, ctx.form.get('token') ?? '', permission);
  if (!grant) return sendJson(ctx.res, 200, { active: false });
  const user = state.directory.findUser(grant.address);
  sendJson(ctx.res, 200, {
    active: true,
    username: grant.address,
    client_id: grant.clientId,
    scope: grant.scopes.join(' '),
    exp: Math.floor(grant.expiresAt / 1000),
    smtp_auth_disabled: user?.smtpAuthDisabled ?? false,
  });
}

function mailboxAccess(state: EmulatorState, ctx: RequestContext): void {
  const grant = liveGrant(state, ctx.form.get('token') ?? '', IMAP_PERMISSION);
  const mailbox = (ctx.form.get('mailbox') ?? '').toLowerCase();
  const allowed = Boolean(grant && state.directory.mayOpenMailbox(grant.address, mailbox));
  sendJson(ctx.res, 200, allowed ? { allowed, username: grant?.address, mailbox } : { allowed: false });
}

function sendAs(state: EmulatorState, ctx: RequestContext): void {
  const user = ctx.form.get('user') ?? '';
  const from = ctx.form.get('from') ?? '';
  sendJson(ctx.res, 200, { allowed: state.directory.maySendAs(user, from) });
}
