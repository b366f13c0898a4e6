/**
 * The control API under `/_harness/`: how tests (in this process or a Playwright worker) shape the directory,
 * arm faults and read what the emulator saw. JSON in, JSON out; invalid input is a 400 with zod's issues.
 */
import { z } from 'zod';
import { sendJson, type RequestContext, type Route } from './http';
import { issueTokens } from './issue';
import {
  appInput,
  authorizeFaultInput,
  issueTokensInput,
  tenantInput,
  tokenFaultInput,
  userInput,
  userPatch,
  type IssuedTokens,
  type RegisteredApp,
} from './model';
import type { EmulatorState } from './state';

const addressBody = z.object({ address: z.email().optional() });
const delayBody = z.object({ ms: z.number().int().min(0).max(120_000) });
const clockBody = z.object({ advanceMs: z.number().int() });
const consentBody = z.object({ clientId: z.guid(), tenant: z.string() });
const strictBody = z.object({ strict: z.boolean() });

/** Tokens handed out without a sign-in need some client; this one is never registered for the token endpoint. */
const CONTROL_CLIENT: RegisteredApp = {
  clientId: '00000000-0000-4000-8000-0000000000aa',
  clientSecret: '',
  secretExpiresAt: null,
  redirectUris: [],
  redirectPlatform: 'web',
  audience: 'common',
  tenantId: '',
  displayName: 'Harness control',
  consent: 'granted',
  applicationPermissions: [],
  rbacAssignments: [],
  exchangePermissions: [],
  exchangeServicePrincipal: false,
  mailboxPermissions: [],
};

export function controlRoutes(state: EmulatorState): Route[] {
  const dir = state.directory;
  const route = (method: Route['method'], path: string, run: (ctx: RequestContext) => unknown): Route => ({
    method,
    pattern: new RegExp(`^/_harness${path}$`),
    handler: async (ctx) => sendJson(ctx.res, 200, (await run(ctx)) ?? { ok: true }),
  });
  const requireApp = (clientId: string | undefined): RegisteredApp => {
    const app = dir.findApp(clientId ?? '');
    if (!app) throw new Error(`Unknown app ${clientId}`);
    return app;
  };
  return [
    route('POST', '/reset', () => state.reset()),
    route('GET', '/state', () => ({ users: dir.listUsers(), apps: dir.listApps() })),
    route('POST', '/tenants', (ctx) => dir.addTenant(tenantInput.parse(ctx.json))),
    route('POST', '/users', (ctx) => dir.addUser(userInput.parse(ctx.json))),
    route('GET', '/users/([^/]+)', (ctx) => dir.findUser(ctx.params[0] ?? '') ?? null),
    route('PATCH', '/users/([^/]+)', (ctx) => dir.updateUser(ctx.params[0] ?? '', userPatch.parse(ctx.json))),
    route('POST', '/users/([^/]+)/revoke', (ctx) => state.grants.revokeUser((ctx.params[0] ?? '').toLowerCase())),
    route('POST', '/apps', (ctx) => dir.registerApp(appInput.parse(ctx.json))),
    // From now on sign-in and refresh fail with AADSTS65001 until an admin consents again.
    route('POST', '/apps/([^/]+)/require-admin-consent', (ctx) => {
      const app = requireApp(ctx.params[0]);
      app.consent = 'admin';
      state.grants.withdrawAdminConsents(app.clientId);
    }),
    // Add-MailboxPermission / Remove-MailboxPermission for the app's Exchange service principal on one mailbox.
    route('PUT', '/apps/([^/]+)/mailbox-permissions/([^/]+)', (ctx) => {
      const app = requireApp(ctx.params[0]);
      const mailbox = decodeURIComponent(ctx.params[1] ?? '').toLowerCase();
      if (!app.mailboxPermissions.includes(mailbox)) app.mailboxPermissions.push(mailbox);
    }),
    route('DELETE', '/apps/([^/]+)/mailbox-permissions/([^/]+)', (ctx) => {
      const app = requireApp(ctx.params[0]);
      const mailbox = decodeURIComponent(ctx.params[1] ?? '').toLowerCase();
      app.mailboxPermissions = app.mailboxPermissions.filter((m) => m !== mailbox);
    }),
    route('POST', '/admin-consent', (ctx) => {
      const body = consentBody.parse(ctx.json);
      const tenant = dir.findTenant(body.tenant);
      if (!tenant) throw new Error(`Unknown tenant ${body.tenant}`);
      state.grants.recordAdminConsent(body.clientId.toLowerCase(), tenant.id);
    }),
    route('POST', '/faults/token', (ctx) => state.faults.armToken(tokenFaultInput.parse(ctx.json))),
    route('POST', '/faults/authorize', (ctx) => state.faults.armAuthorize(authorizeFaultInput.parse(ctx.json))),
    route('PUT', '/token-delay', (ctx) => {
      state.faults.tokenDelayMs = delayBody.parse(ctx.json).ms;
    }),
    route('POST', '/refresh-tokens/expire', (ctx) =>
      state.grants.expireIdleRefreshTokens(addressBody.parse(ctx.json).address),
    ),
    route('POST', '/access-tokens/expire', (ctx) =>
      state.grants.expireAccessTokens(addressBody.parse(ctx.json).address, state.now()),
    ),
    route('POST', '/clock', (ctx) => state.advanceClock(clockBody.parse(ctx.json).advanceMs)),
    route('POST', '/keys/rotate', async () => ({ kid: await state.rotateSigningKey() })),
    route('PUT', '/refresh-token-rotation', (ctx) => {
      state.settings.strictRefreshTokenRotation = strictBody.parse(ctx.json).strict;
    }),
    route('POST', '/tokens', (ctx) => issueForTest(state, ctx.json)),
    route('GET', '/tokens/issued', () => state.grants.issuedValues()),
    route('GET', '/requests', () => state.requests),
    route('DELETE', '/requests', () => {
      state.requests.length = 0;
    }),
  ];
}

/** Tokens for a user without the browser dance: what IMAP/SMTP tests and seeding need. */
async function issueForTest(state: EmulatorState, body: unknown): Promise<IssuedTokens> {
  const input = issueTokensInput.parse(body);
  const user = state.directory.requireUser(input.address);
  const app = (input.clientId ? state.directory.findApp(input.clientId) : undefined) ?? CONTROL_CLIENT;
  const resource = state.settings.outlookResources[0];
  const scopes = input.scopes ?? [`${resource}/IMAP.AccessAsUser.All`, `${resource}/SMTP.Send`, 'offline_access'];
  const response = await issueTokens(state, { app, user, scopes, clientInfo: false });
  return {
    access_token: response.access_token,
    refresh_token: response.refresh_token ?? '',
    expires_in: response.expires_in,
  };
}
