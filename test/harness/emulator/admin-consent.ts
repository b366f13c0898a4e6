/**
 * `GET /{tenant}/v2.0/adminconsent`: an administrator grants the app for a whole tenant. Afterwards the app's
 * AADSTS65001 ("consent required") state is cleared for that tenant.
 */
import { AadError, aadError } from './aadsts';
import { checkClient } from './authorize-request';
import { redirect, sendHtml, withQuery, type RequestContext, type Route } from './http';
import { adminConsentPage, errorPage } from './pages';
import { grantScopes } from './scopes';
import type { EmulatorState } from './state';

export function adminConsentRoutes(state: EmulatorState): Route[] {
  return [
    { method: 'GET', pattern: /^\/([^/]+)\/v2\.0\/adminconsent$/, handler: (ctx) => showConsent(state, ctx) },
    { method: 'POST', pattern: /^\/([^/]+)\/v2\.0\/adminconsent\/decision$/, handler: (ctx) => decide(state, ctx) },
  ];
}

function showConsent(state: EmulatorState, ctx: RequestContext): void {
  const segment = ctx.params[0] ?? '';
  const query = ctx.url.searchParams;
  const client = trustedClient(state, ctx, segment, query);
  if (!client) return;
  const stateParam = query.get('state') ?? undefined;
  try {
    grantScopes(query.get('scope'), state.settings.outlookResources);
  } catch (error) {
    if (error instanceof AadError) return returnError(ctx, client.redirectUri, stateParam, error);
    throw error;
  }
  const admins = state.directory
    .listUsers()
    .filter((u) => u.kind === 'work' && (client.scope.kind !== 'tenant' || u.tenantId === client.scope.tenant.id));
  sendHtml(
    ctx.res,
    200,
    adminConsentPage({
      action: `/${encodeURIComponent(segment)}/v2.0/adminconsent/decision`,
      fields: {
        client_id: client.app.clientId,
        redirect_uri: client.redirectUri,
        state: stateParam ?? '',
        scope: query.get('scope') ?? '',
      },
      appName: client.app.displayName,
      admins,
      scope: query.get('scope') ?? '',
    }),
  );
}

function decide(state: EmulatorState, ctx: RequestContext): void {
  const segment = ctx.params[0] ?? '';
  const client = trustedClient(state, ctx, segment, ctx.form);
  if (!client) return;
  const stateParam = ctx.form.get('state') || undefined;
  const admin = state.directory.findUser(ctx.form.get('admin') ?? '');
  if (ctx.form.get('decision') === 'cancel' || !admin || admin.kind !== 'work') {
    // Microsoft keeps admin_consent=True on a refusal and sends no tenant: the error decides (v2-admin-consent,
    // "Error response"; public parsers test exactly this shape).
    return returnError(ctx, client.redirectUri, stateParam, aadError(65004, {}, { error: 'consent_required' }), {
      admin_consent: 'True',
    });
  }
  state.grants.recordAdminConsent(client.app.clientId, admin.tenantId);
  redirect(
    ctx.res,
    withQuery(client.redirectUri, {
      admin_consent: 'True',
      tenant: admin.tenantId,
      scope: ctx.form.get('scope') || undefined,
      state: stateParam,
    }),
  );
}

function trustedClient(
  state: EmulatorState,
  ctx: RequestContext,
  segment: string,
  params: URLSearchParams,
): ReturnType<typeof checkClient> | undefined {
  try {
    return checkClient(state, segment, params);
  } catch (error) {
    if (!(error instanceof AadError)) throw error;
    sendHtml(ctx.res, error.status, errorPage(error));
    return undefined;
  }
}

function returnError(
  ctx: RequestContext,
  redirectUri: string,
  stateParam: string | undefined,
  error: AadError,
  extra: Record<string, string> = {},
): void {
  redirect(
    ctx.res,
    withQuery(redirectUri, { ...extra, error: error.error, error_description: error.description, state: stateParam }),
  );
}
