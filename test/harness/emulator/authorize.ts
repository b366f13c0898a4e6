/**
 * The interactive half of sign-in: account picker, optional consent, then a redirect back with `code` (or with
 * `error`). A session cookie gives single sign-on on later requests without `prompt`, like a real browser.
 */
import { randomBytes } from 'node:crypto';
import { AadError, aadError } from './aadsts';
import { assertUserMaySignIn } from './audience';
import { checkAuthorizeRequest } from './authorize-request';
import { cookie, redirect, sendHtml, withQuery, type RequestContext, type Route } from './http';
import type { HarnessUser } from './model';
import { consentPage, errorPage, needAdminApprovalPage, signInPage } from './pages';
import type { EmulatorState, PendingSignIn } from './state';

const SESSION_COOKIE = 'harness_session';
const PENDING_LIFETIME_MS = 10 * 60_000;

export function authorizeRoutes(state: EmulatorState): Route[] {
  return [
    { method: 'GET', pattern: /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/, handler: (ctx) => startSignIn(state, ctx) },
    {
      method: 'POST',
      pattern: /^\/([^/]+)\/oauth2\/v2\.0\/authorize\/select$/,
      handler: (ctx) => pickAccount(state, ctx),
    },
    {
      method: 'POST',
      pattern: /^\/([^/]+)\/oauth2\/v2\.0\/authorize\/consent$/,
      handler: (ctx) => decideConsent(state, ctx),
    },
    {
      method: 'POST',
      pattern: /^\/([^/]+)\/oauth2\/v2\.0\/authorize\/approval$/,
      handler: (ctx) => leaveApproval(state, ctx),
    },
    { method: 'GET', pattern: /^\/([^/]+)\/oauth2\/v2\.0\/logout$/, handler: (ctx) => signOut(ctx) },
  ];
}

function startSignIn(state: EmulatorState, ctx: RequestContext): void {
  const segment = ctx.params[0] ?? '';
  const check = checkAuthorizeRequest(state, segment, ctx.url.searchParams);
  if (check.kind === 'page-error') return sendHtml(ctx.res, check.error.status, errorPage(check.error));
  if (check.kind === 'redirect-error') return redirectWithError(ctx, check.redirectUri, check.state, check.error);

  const query = ctx.url.searchParams;
  const pending: PendingSignIn = {
    tenantSegment: segment,
    clientId: check.app.clientId,
    redirectUri: query.get('redirect_uri') ?? '',
    state: query.get('state') ?? undefined,
    nonce: query.get('nonce') ?? undefined,
    scopes: check.scopes,
    codeChallenge: query.get('code_challenge') ?? undefined,
    loginHint: query.get('login_hint') ?? undefined,
    prompt: query.get('prompt') ?? undefined,
    clientInfo: query.get('client_info') === '1',
    expiresAt: state.now() + PENDING_LIFETIME_MS,
  };
  const sessionUser = sessionAccount(state, ctx, pending);
  if (pending.prompt === 'none' && !sessionUser) {
    return redirectWithError(ctx, pending.redirectUri, pending.state, aadError(50058));
  }
  if (sessionUser && (pending.prompt === undefined || pending.prompt === 'none')) {
    return continueAs(state, ctx, pending, sessionUser);
  }
  const flow = randomBytes(16).toString('base64url');
  state.pendingSignIns.set(flow, pending);
  sendHtml(
    ctx.res,
    200,
    signInPage({
      action: `/${encodeURIComponent(segment)}/oauth2/v2.0/authorize/select`,
      flow,
      appName: check.app.displayName,
      users: state.directory.signInUsers(),
      loginHint: pending.loginHint,
    }),
  );
}

function pickAccount(state: EmulatorState, ctx: RequestContext): void {
  const pending = takePending(state, ctx);
  if (!pending) return;
  if (ctx.form.get('cancel')) return redirectCancelled(ctx, pending);
  const user = state.directory.signInUsers().find((u) => u.address === ctx.form.get('account')?.toLowerCase());
  if (!user) return sendHtml(ctx.res, 400, errorPage(aadError(9002313, { detail: 'Unknown account.' })));
  continueAs(state, ctx, pending, user, [
    `${SESSION_COOKIE}=${encodeURIComponent(user.address)}; Path=/; HttpOnly; SameSite=Lax`,
  ]);
}

function decideConsent(state: EmulatorState, ctx: RequestContext): void {
  const pending = takePending(state, ctx);
  if (!pending) return;
  const user = pending.address ? state.directory.findUser(pending.address) : undefined;
  if (ctx.form.get('decision') !== 'accept' || !user) {
    return redirectWithError(ctx, pending.redirectUri, pending.state, aadError(65004));
  }
  state.grants.recordUserConsent(pending.clientId, user.address);
  issueCodeAndReturn(state, ctx, pending, user);
}

/** "Return to the application without granting consent" on the Need admin approval page. */
function leaveApproval(state: EmulatorState, ctx: RequestContext): void {
  const pending = takePending(state, ctx);
  if (pending) redirectCancelled(ctx, pending);
}

/**
 * A sign-in that ended without consent and without an AADSTS code: `error=access_denied&error_subcode=cancel`,
 * the shape MSAL treats as a user cancel (microsoft-authentication-library-for-android's test fixtures) and the one
 * a user who may not consent brings back from "Need admin approval" (xagent's Teams connector test). Microsoft
 * sends no description with it, so an app cannot tell the two apart.
 */
function redirectCancelled(ctx: RequestContext, pending: PendingSignIn, cookies: string[] = []): void {
  redirect(
    ctx.res,
    withQuery(pending.redirectUri, { error: 'access_denied', error_subcode: 'cancel', state: pending.state }),
    cookieHeader(cookies),
  );
}

/** After an account is known: tenant rules, admin consent, optional consent page, then the code. */
function continueAs(
  state: EmulatorState,
  ctx: RequestContext,
  pending: PendingSignIn,
  user: HarnessUser,
  cookies: string[] = [],
): void {
  const app = state.directory.findApp(pending.clientId);
  try {
    if (!app) throw aadError(700016, { clientId: pending.clientId, tenant: pending.tenantSegment });
    assertUserMaySignIn(app, state.directory.resolveScope(pending.tenantSegment), user, state.directory);
    // Silent sign-in cannot ask anyone: consent_required with AADSTS65001 goes back to the app.
    if (needsAdminApproval(state, app.clientId, app.consent, user) && pending.prompt === 'none') {
      throw aadError(65001, { clientId: app.clientId, appName: app.displayName }, { error: 'consent_required' });
    }
  } catch (error) {
    if (error instanceof AadError) return redirectWithError(ctx, pending.redirectUri, pending.state, error, cookies);
    throw error;
  }
  if (needsAdminApproval(state, app.clientId, app.consent, user)) {
    // Users may not consent: Microsoft shows "Need admin approval" and never issues a code.
    const flow = randomBytes(16).toString('base64url');
    state.pendingSignIns.set(flow, { ...pending, address: user.address });
    return sendHtml(
      ctx.res,
      200,
      needAdminApprovalPage({
        action: `/${encodeURIComponent(pending.tenantSegment)}/oauth2/v2.0/authorize/approval`,
        fields: { flow },
        appName: app.displayName,
      }),
      cookieHeader(cookies),
    );
  }
  const needsConsent =
    pending.prompt === 'consent' ||
    (app.consent === 'user' && !state.grants.hasUserConsent(app.clientId, user.address));
  if (!needsConsent) return issueCodeAndReturn(state, ctx, pending, user, cookies);
  const flow = randomBytes(16).toString('base64url');
  state.pendingSignIns.set(flow, { ...pending, address: user.address });
  sendHtml(
    ctx.res,
    200,
    consentPage({
      action: `/${encodeURIComponent(pending.tenantSegment)}/oauth2/v2.0/authorize/consent`,
      fields: { flow },
      appName: app.displayName,
      address: user.address,
      scopes: pending.scopes,
      admin: false,
    }),
    cookieHeader(cookies),
  );
}

function needsAdminApproval(
  state: EmulatorState,
  clientId: string,
  consent: 'granted' | 'user' | 'admin',
  user: HarnessUser,
): boolean {
  return consent === 'admin' && !state.grants.hasAdminConsent(clientId, user.tenantId);
}

function issueCodeAndReturn(
  state: EmulatorState,
  ctx: RequestContext,
  pending: PendingSignIn,
  user: HarnessUser,
  cookies: string[] = [],
): void {
  const code = state.grants.issueCode(
    {
      clientId: pending.clientId,
      redirectUri: pending.redirectUri,
      address: user.address,
      scopes: pending.scopes,
      nonce: pending.nonce,
      codeChallenge: pending.codeChallenge,
    },
    state.now(),
  );
  const clientInfo = Buffer.from(JSON.stringify({ uid: user.oid, utid: user.tenantId })).toString('base64url');
  redirect(
    ctx.res,
    withQuery(pending.redirectUri, {
      code,
      ...(pending.clientInfo ? { client_info: clientInfo } : {}),
      state: pending.state,
      session_state: randomBytes(16).toString('hex'),
    }),
    cookieHeader(cookies),
  );
}

function takePending(state: EmulatorState, ctx: RequestContext): PendingSignIn | undefined {
  const flow = ctx.form.get('flow') ?? '';
  const pending = state.pendingSignIns.get(flow);
  state.pendingSignIns.delete(flow);
  if (!pending || pending.expiresAt < state.now()) {
    sendHtml(
      ctx.res,
      400,
      errorPage(aadError(9002313, { detail: 'The sign-in session expired or was already used.' })),
    );
    return undefined;
  }
  return pending;
}

function sessionAccount(state: EmulatorState, ctx: RequestContext, pending: PendingSignIn): HarnessUser | undefined {
  const address = cookie(ctx.req, SESSION_COOKIE);
  const user = address ? state.directory.findUser(address) : undefined;
  if (!user || (pending.loginHint && pending.loginHint.toLowerCase() !== user.signInName)) return undefined;
  return user;
}

function redirectWithError(
  ctx: RequestContext,
  redirectUri: string,
  stateParam: string | undefined,
  error: AadError,
  cookies: string[] = [],
): void {
  redirect(
    ctx.res,
    withQuery(redirectUri, { error: error.error, error_description: error.description, state: stateParam }),
    cookieHeader(cookies),
  );
}

function signOut(ctx: RequestContext): void {
  const target = ctx.url.searchParams.get('post_logout_redirect_uri');
  const clear = { 'set-cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0` };
  if (target) return redirect(ctx.res, target, clear);
  sendHtml(ctx.res, 200, '<!doctype html><title>Signed out</title><p>You signed out of your account.</p>', clear);
}

function cookieHeader(cookies: string[]): Record<string, string> {
  return cookies.length > 0 ? { 'set-cookie': cookies.join(', ') } : {};
}
