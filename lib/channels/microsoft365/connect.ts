import 'server-only';
import { randomBytes } from 'node:crypto';
import { CryptoProvider, ResponseMode } from '@azure/msal-node';
import { loadAppWithSecret } from '@/lib/channels/microsoft365/app-credentials';
import { callbackUrl, endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import { secrets } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/types';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import { deleteOAuthFlowsExpiredBefore, insertOAuthFlow } from '@/lib/db/queries/oauth-flows';
import { fail, type Failure, type Result } from '@/lib/errors';
import { adminConsentUrl, mailScopes, type CloudEndpoints } from '@/lib/microsoft/clouds';
import { graphSignInScopes } from '@/lib/microsoft/graph/scopes';
import { createMsalClient } from '@/lib/microsoft/msal-client';

export const FLOW_LIFETIME_MS = 10 * 60 * 1000;
export const CODE_VERIFIER_CONTEXT = 'oauth_flows.code_verifier';

export type ConnectIntent =
  | { kind: 'connect'; consent?: boolean }
  | { kind: 'reauthenticate'; accountId: string; consent?: boolean }
  | { kind: 'shared_mailbox'; mailbox: string; consent?: boolean };

const randomToken = (bytes: number) => randomBytes(bytes).toString('base64url');

/** Where to send the browser next: Microsoft's authorize or admin-consent page. */
export type StartResult = Result<
  { url: string },
  Failure<'app.missing' | 'account.missing' | 'app.application_access'>
>;

/**
 * What a browser sign-in asks for: Graph's mail permissions when the mailbox goes through Graph, else Outlook's IMAP
 * and SMTP scopes (never both in one request: one resource per token, AADSTS28000). A re-authentication keeps the
 * mailbox's own transport, whatever new mailboxes use now.
 */
export function signInScopes(
  endpoints: CloudEndpoints,
  mailbox: { transport: 'imap' | 'graph'; shared: boolean },
): string[] {
  return mailbox.transport === 'graph'
    ? graphSignInScopes(endpoints, { shared: mailbox.shared })
    : mailScopes(endpoints);
}

/**
 * Starts a sign-in: a single-use flow row (state, sealed PKCE verifier, nonce, 10 minutes) and the Microsoft
 * authorize URL to send the browser to.
 */
export async function startConnect(
  db: Db,
  admin: { id: string },
  intent: ConnectIntent,
  baseUrl: string,
): Promise<StartResult> {
  const app = await loadAppWithSecret(db);
  if (!app) return fail('app.missing', 'Save the Microsoft 365 app credentials before connecting a mailbox.');

  let loginHint: string | undefined;
  let mailbox = { transport: app.transport, shared: intent.kind === 'shared_mailbox' };
  if (intent.kind === 'reauthenticate') {
    const account = await findAccount(db, intent.accountId);
    if (!account || account.removedAt) return fail('account.missing', 'That mailbox is no longer connected.');
    if (account.access === 'application')
      return fail('app.application_access', 'This mailbox uses the app’s own access: it has no sign-in to renew.');
    loginHint = account.signInAddress;
    mailbox = { transport: account.transport, shared: account.kind === 'shared' };
  } else if (app.access === 'application') {
    return fail(
      'app.application_access',
      'The app uses application access: add mailboxes by their address instead of signing in.',
    );
  }

  // Finished flows are kept a day for their result page; starting a new one tidies the old ones away.
  await deleteOAuthFlowsExpiredBefore(db, new Date(Date.now() - 24 * 60 * 60 * 1000));
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const state = randomToken(32);
  const nonce = randomToken(16);
  await insertOAuthFlow(db, {
    state,
    nonce,
    codeVerifierSealed: secrets().seal(verifier, CODE_VERIFIER_CONTEXT),
    adminId: admin.id,
    appId: app.id,
    intent: intent.kind,
    accountId: intent.kind === 'reauthenticate' ? intent.accountId : null,
    sharedMailbox: intent.kind === 'shared_mailbox' ? intent.mailbox : null,
    loginHint,
    expiresAt: new Date(Date.now() + FLOW_LIFETIME_MS),
  });

  const endpoints = endpointsFor(app.cloud);
  const msal = createMsalClient({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    tenant: app.tenant,
    endpoints,
  });
  const url = await msal.getAuthCodeUrl({
    scopes: signInScopes(endpoints, mailbox),
    redirectUri: callbackUrl(baseUrl),
    responseMode: ResponseMode.QUERY,
    state,
    nonce,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    prompt: intent.consent ? 'consent' : 'select_account',
    loginHint,
  });
  return { ok: true, url };
}

/** Starts an admin-consent request for the app (AADSTS65001/90094): an Azure admin grants it for the tenant. */
export async function startAdminConsent(db: Db, admin: { id: string }, baseUrl: string): Promise<StartResult> {
  const app = await loadAppWithSecret(db);
  if (!app) return fail('app.missing', 'Save the Microsoft 365 app credentials first.');
  const state = randomToken(32);
  await insertOAuthFlow(db, {
    state,
    nonce: randomToken(16),
    codeVerifierSealed: secrets().seal(randomToken(32), CODE_VERIFIER_CONTEXT),
    adminId: admin.id,
    appId: app.id,
    intent: 'admin_consent',
    expiresAt: new Date(Date.now() + FLOW_LIFETIME_MS),
  });
  // A personal-accounts-capable "common" app still needs a work tenant to consent for: "organizations" asks for it.
  const tenant = app.tenant === 'common' ? 'organizations' : app.tenant;
  const url = adminConsentUrl(endpointsFor(app.cloud), {
    tenant,
    clientId: app.clientId,
    redirectUri: callbackUrl(baseUrl),
    state,
  });
  return { ok: true, url };
}
