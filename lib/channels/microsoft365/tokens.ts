import 'server-only';
import { loadAppWithSecret, type AppWithSecret } from '@/lib/channels/microsoft365/app-credentials';
import { endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import type { Db } from '@/lib/db/types';
import { findAccount, saveSealedTokenCache } from '@/lib/db/queries/mail-accounts';
import { appTokenGrantSource, type AppToken } from '@/lib/microsoft/app-token';
import { exchangeAppScope, graphAppScope, mailScopes, type CloudEndpoints } from '@/lib/microsoft/clouds';
import { ExplainedFault, explainMsalError, type ExplainedError } from '@/lib/microsoft/errors';
import type { GraphTokenSource } from '@/lib/microsoft/graph/client';
import { graphMailPermissions } from '@/lib/microsoft/graph/scopes';
import { isPersonalAccount } from '@/lib/microsoft/mailbox-identity';
import { createMsalClient } from '@/lib/microsoft/msal-client';
import { sealedCachePlugin } from '@/lib/microsoft/token-cache';

/** A token failure the sync and the send paths can act on: scope 'account' → re-authenticate, 'app' → fix the app. */
export class TokenError extends ExplainedFault {
  override name = 'TokenError';
}

export interface MailAccess {
  accessToken: string;
  /** msal's expiry of the access token; the sync signs in again before it runs out. */
  expiresOn: Date | null;
  endpoints: CloudEndpoints;
  imapUser: string;
  /** Who authenticates to SMTP (the delegate for a shared mailbox). */
  signInAddress: string;
  /** An Outlook.com account (personal-accounts tenant): advice for it names no admin tools. */
  personal: boolean;
}

/**
 * A fresh access token for the account's mailbox, from its sealed msal cache. A refresh that rotates the refresh
 * token is sealed and saved by the cache plugin before this returns. The account must be leased (sync) or the
 * call be interactive (send): two refreshes of one account at once could lose a rotation.
 */
export async function acquireMailAccess(
  db: Db,
  accountId: string,
  options: { forceRefresh?: boolean; app?: () => Promise<AppWithSecret | null> } = {},
): Promise<MailAccess> {
  const [app, account] = await Promise.all([
    (options.app ?? (() => loadAppWithSecret(db)))(),
    findAccount(db, accountId),
  ]);
  if (!app) throw new TokenError(appMissing());
  if (account?.access === 'application') return applicationMailAccess(app, account, options.forceRefresh ?? false);
  if (!account || !account.tokenCacheSealed) throw new TokenError(signInMissing());
  const endpoints = endpointsFor(app.cloud);
  const msal = accountMsalClient(db, app, endpoints, accountId, account.tokenCacheSealed);
  try {
    const cached = await msal.getTokenCache().getAccountByHomeId(account.homeAccountId);
    if (!cached) throw new TokenError(signInMissing());
    const scopes = mailScopes(endpoints).filter((scope) => scope.startsWith('https://'));
    const result = await msal.acquireTokenSilent({
      account: cached,
      scopes,
      forceRefresh: options.forceRefresh ?? false,
    });
    return {
      accessToken: result.accessToken,
      expiresOn: result.expiresOn ?? null,
      endpoints,
      imapUser: account.imapUser,
      signInAddress: account.signInAddress,
      personal: isPersonalAccount(account.tenantId),
    };
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError(explainMsalError(error, { tenant: app.tenant, mailbox: account.signInAddress }));
  }
}

/**
 * IMAP and SMTP with the app's own token: Exchange Online's client-credentials grant (IMAP.AccessAsApp,
 * SMTP.SendAsApp), with SASL XOAUTH2 naming the mailbox itself as `user=`
 * (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections).
 * There is no sign-in to lose: a refusal is the app's (secret, consent), never the mailbox's.
 */
async function applicationMailAccess(
  app: AppWithSecret,
  account: { imapUser: string; signInAddress: string },
  forceRefresh: boolean,
): Promise<MailAccess> {
  const endpoints = endpointsFor(app.cloud);
  const token = await appToken(app, endpoints, exchangeAppScope(endpoints))({ forceRefresh });
  return { ...token, endpoints, imapUser: account.imapUser, signInAddress: account.signInAddress, personal: false };
}

/**
 * `forceRefresh` skips msal's cached access token: Exchange can reject a token before its expiry (revoked
 * sessions, continuous access evaluation), and only a refresh tells a dead sign-in from a stale token.
 */
export async function acquireMailAccessToken(
  db: Db,
  accountId: string,
  options: Parameters<typeof acquireMailAccess>[2] = {},
): Promise<string> {
  return (await acquireMailAccess(db, accountId, options)).accessToken;
}

/** How the sync, send and verify paths reach one mailbox: IMAP/SMTP with a token, or Graph with a token source. */
export type AccountAccess = { transport: 'imap'; mail: MailAccess } | { transport: 'graph'; graph: GraphAccess };

export interface GraphAccess {
  /** The mailbox as Graph's `/users/{id-or-userPrincipalName}` names it: its address. */
  mailbox: string;
  endpoints: CloudEndpoints;
  access: 'delegated' | 'application';
  /** Fails with TokenError; `forceRefresh` after Graph refused the cached token. */
  token: GraphTokenSource;
  personal: boolean;
}

/**
 * The account's way in, by the transport and access it was connected with. Delegated Graph tokens come from the
 * account's sealed msal cache, like IMAP's (same leasing rule); application access uses the app's own
 * client-credentials token, one msal client per app and secret in this process so its in-memory token is reused.
 */
export async function acquireAccountAccess(
  db: Db,
  accountId: string,
  options: { app?: () => Promise<AppWithSecret | null> } = {},
): Promise<AccountAccess> {
  const account = await findAccount(db, accountId);
  if (!account) throw new TokenError(signInMissing());
  if (account.transport === 'imap') {
    return { transport: 'imap', mail: await acquireMailAccess(db, accountId, { app: options.app }) };
  }
  const app = await (options.app ?? (() => loadAppWithSecret(db)))();
  if (!app) throw new TokenError(appMissing());
  const endpoints = endpointsFor(app.cloud);
  const base = { mailbox: account.emailAddress, endpoints, personal: isPersonalAccount(account.tenantId) };
  if (account.access === 'application') {
    const source = appToken(app, endpoints, graphAppScope(endpoints));
    const token: GraphTokenSource = async (request) => (await source(request)).accessToken;
    return { transport: 'graph', graph: { ...base, access: 'application', token } };
  }
  if (!account.tokenCacheSealed) throw new TokenError(signInMissing());
  const msal = accountMsalClient(db, app, endpoints, accountId, account.tokenCacheSealed);
  const scopes = graphMailPermissions(endpoints, { shared: account.kind === 'shared' });
  const token: GraphTokenSource = async ({ forceRefresh }) => {
    try {
      const cached = await msal.getTokenCache().getAccountByHomeId(account.homeAccountId);
      if (!cached) throw new TokenError(signInMissing());
      return (await msal.acquireTokenSilent({ account: cached, scopes, forceRefresh })).accessToken;
    } catch (error) {
      if (error instanceof TokenError) throw error;
      throw new TokenError(explainMsalError(error, { tenant: app.tenant, mailbox: account.signInAddress }));
    }
  };
  return { transport: 'graph', graph: { ...base, access: 'delegated', token } };
}

/**
 * An msal client over one account's sealed cache. The row was just read, so its cache is what a second query would
 * return; each later save goes through the plugin, so msal's memory holds the newest cache after that.
 */
function accountMsalClient(db: Db, app: AppWithSecret, endpoints: CloudEndpoints, accountId: string, sealed: string) {
  return createMsalClient({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    tenant: app.tenant,
    endpoints,
    cachePlugin: sealedCachePlugin({
      load: async () => sealed,
      save: (next) => saveSealedTokenCache(db, accountId, next),
    }),
  });
}

type AppTokenSource = (request: { forceRefresh: boolean }) => Promise<AppToken>;
const appTokens = new Map<string, AppTokenSource>();

/**
 * One token source per app registration, secret and resource (Graph, Exchange Online): a new secret (or app) starts
 * new msal clients, so their in-memory tokens are reused until then. A refused token is the app's to fix (secret,
 * consent), never the mailbox's: it fails as a `TokenError` of scope 'app'.
 */
function appToken(app: AppWithSecret, endpoints: CloudEndpoints, scope: string): AppTokenSource {
  const owner = `${app.id}:${app.clientSecretSealed}:${endpoints.loginBaseUrl}`;
  const key = `${owner}:${scope}`;
  let source = appTokens.get(key);
  if (!source) {
    for (const old of appTokens.keys())
      if (old.startsWith(`${app.id}:`) && !old.startsWith(`${owner}:`)) appTokens.delete(old);
    const grant = appTokenGrantSource({
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      tenant: app.tenant,
      endpoints,
      scope,
    });
    source = async (request) => {
      try {
        return await grant(request);
      } catch (error) {
        if (error instanceof ExplainedFault) throw new TokenError({ ...error.explained, scope: 'app' });
        throw error;
      }
    };
    appTokens.set(key, source);
  }
  return source;
}

const appMissing = (): ExplainedError => ({
  code: 'app.missing',
  title: 'No Microsoft 365 app is configured.',
  explanation: 'Mailboxes sign in through the app registration saved on the Microsoft 365 page.',
  action: 'Save the app credentials on the Microsoft 365 page.',
  whoActs: 'console_admin',
  scope: 'app',
});

const signInMissing = (): ExplainedError => ({
  code: 'account.no_sign_in',
  title: 'This mailbox has no saved sign-in.',
  explanation: 'The console holds no token for it, so it cannot reach the mailbox.',
  action: 'Re-authenticate the mailbox.',
  whoActs: 'console_admin',
  scope: 'account',
});
