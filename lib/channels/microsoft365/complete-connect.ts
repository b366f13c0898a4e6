import 'server-only';
import type { AuthenticationResult } from '@azure/msal-node';
import { loadAppWithSecret } from '@/lib/channels/microsoft365/app-credentials';
import {
  REJECTION_TEXT,
  type CallbackParams,
  type CallbackRejection,
} from '@/lib/channels/microsoft365/callback-params';
import { CODE_VERIFIER_CONTEXT, signInScopes } from '@/lib/channels/microsoft365/connect';
import { callbackUrl, endpointsFor } from '@/lib/channels/microsoft365/endpoints';
import { connectFailure, failureOf, saveConnectedMailbox } from '@/lib/channels/microsoft365/connected-mailbox';
import { proveMailboxAccess } from '@/lib/channels/microsoft365/prove-access';
import { proveGraphAccess } from '@/lib/channels/microsoft365/prove-graph-access';
import { secrets } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/types';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import {
  claimOAuthFlow,
  findOAuthFlowByState,
  recordOAuthFlowOutcome,
  type OAuthFlow,
} from '@/lib/db/queries/oauth-flows';
import type { MailboxAddressSource, OAuthFlowOutcome } from '@/lib/db/schema';
import type { Failure, Result } from '@/lib/errors';
import { explainIdentityError, explainMsalError, type ExplainedError } from '@/lib/microsoft/errors';
import { verifyIdToken } from '@/lib/microsoft/id-token';
import { isPersonalAccount, mailboxIdentity } from '@/lib/microsoft/mailbox-identity';
import { createMsalClient } from '@/lib/microsoft/msal-client';
import { memoryCachePlugin } from '@/lib/microsoft/token-cache';

/**
 * A finished flow whatever its outcome (the outcome, itself ok or not, is recorded on the flow for its page), or
 * a callback that matches no flow this admin may finish.
 */
export type CallbackResult = Result<
  { flow: OAuthFlow; outcome: OAuthFlowOutcome },
  Failure<'flow.rejected'> & { reason: CallbackRejection }
>;

function rejected(reason: CallbackRejection): CallbackResult {
  return { ok: false, error: { code: 'flow.rejected', message: REJECTION_TEXT[reason].title, reason } };
}

/** Redeems the callback for the flow it belongs to, exactly once, and records how it ended. */
export async function completeConnect(
  db: Db,
  admin: { id: string; email: string },
  params: CallbackParams,
  baseUrl: string,
): Promise<CallbackResult> {
  const flow = await claimOAuthFlow(db, params.state, admin.id);
  if (!flow) return rejected(await whyUnclaimable(db, params.state, admin.id));
  const outcome = await finishFlow(db, flow, admin, params, baseUrl).catch((error: unknown) =>
    connectFailure(failureOf(error)),
  );
  await recordOAuthFlowOutcome(db, flow.id, outcome);
  return { ok: true, flow, outcome };
}

async function whyUnclaimable(db: Db, state: string, adminId: string): Promise<CallbackRejection> {
  const flow = await findOAuthFlowByState(db, state);
  if (!flow) return 'unknown';
  if (flow.adminId !== adminId) return 'foreign';
  if (flow.usedAt) return 'used';
  return 'expired';
}

async function finishFlow(
  db: Db,
  flow: OAuthFlow,
  admin: { id: string; email: string },
  params: CallbackParams,
  baseUrl: string,
): Promise<OAuthFlowOutcome> {
  const redirectUri = callbackUrl(baseUrl);
  const app = await loadAppWithSecret(db);
  if (params.error) {
    const explained = explainIdentityError(
      { error: params.error, errorDescription: params.error_description, subError: params.error_subcode },
      { callbackUrl: redirectUri, tenant: app?.tenant },
    );
    return connectFailure(flow.intent === 'admin_consent' ? adminConsentRefused(explained) : explained);
  }
  if (flow.intent === 'admin_consent') {
    return params.admin_consent?.toLowerCase() === 'true'
      ? { ok: true, accountId: '' }
      : connectFailure(failureOf(new Error('admin consent not confirmed')));
  }
  if (!params.code)
    return connectFailure(
      explainIdentityError({ error: 'invalid_request', errorDescription: 'No authorization code in the answer.' }),
    );
  if (!app || app.id !== flow.appId) {
    return connectFailure({
      code: 'app.changed',
      title: 'The app credentials changed during the sign-in.',
      explanation: 'The sign-in was started with app credentials that have since been replaced.',
      action: 'Start the sign-in again.',
      whoActs: 'console_admin',
    });
  }

  const existing =
    flow.intent === 'reauthenticate' && flow.accountId ? await findAccount(db, flow.accountId) : undefined;
  // The same choice startConnect made: the code is redeemed for the scopes it was issued for.
  const transport = existing?.transport ?? app.transport;
  const shared = flow.intent === 'shared_mailbox' || existing?.kind === 'shared';
  const scopes = signInScopes(endpointsFor(app.cloud), { transport, shared });

  const endpoints = endpointsFor(app.cloud);
  const cache = memoryCachePlugin();
  const msal = createMsalClient({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    tenant: app.tenant,
    endpoints,
    cachePlugin: cache,
  });
  let result: AuthenticationResult;
  try {
    result = await msal.acquireTokenByCode({
      code: params.code,
      scopes,
      redirectUri,
      codeVerifier: secrets().open(flow.codeVerifierSealed, CODE_VERIFIER_CONTEXT),
      // msal compares these with the answer too; the product still verifies the id token itself below.
      state: flow.state,
      nonce: flow.nonce,
    });
  } catch (error) {
    return connectFailure(explainMsalError(error, { callbackUrl: redirectUri, tenant: app.tenant }));
  }

  const claims = await verifyIdToken(result.idToken, {
    endpoints,
    tenant: app.tenant,
    clientId: app.clientId,
    nonce: flow.nonce,
  });
  const identity = mailboxIdentity(claims);
  const homeAccountId = result.account?.homeAccountId;
  if (identity.kind === 'guest') return connectFailure(guestRefusal(identity.signInName));
  if (identity.kind === 'unknown' || !homeAccountId) {
    return connectFailure({
      code: 'id_token.no_address',
      title: 'Microsoft did not say which mailbox signed in.',
      explanation: 'The sign-in answer has no e-mail address, neither as sign-in name nor as email claim.',
      action: 'Check that the app has the “email” and “profile” delegated permissions, then try again.',
      whoActs: 'azure_admin',
    });
  }
  const address = identity.loginName;

  if (flow.intent === 'reauthenticate') {
    if (!existing || existing.removedAt) {
      return connectFailure({
        code: 'account.missing',
        title: 'That mailbox was removed while you signed in.',
        explanation: 'There is no mailbox to re-authenticate.',
        action: 'Add it again with “Add account”.',
        whoActs: 'console_admin',
      });
    }
    if (existing.homeAccountId !== homeAccountId && existing.signInAddress !== address) {
      return connectFailure({
        code: 'account.mismatch',
        title: `You signed in as ${address}, but this mailbox signs in as ${existing.signInAddress}.`,
        explanation: 'Re-authentication must use the same Microsoft account, or the mailbox would change hands.',
        action: `Try again and choose ${existing.signInAddress} on Microsoft’s account picker (or sign out of ${address} there first).`,
        whoActs: 'console_admin',
      });
    }
  }
  const sharedMailbox = flow.intent === 'shared_mailbox' && flow.sharedMailbox ? flow.sharedMailbox : undefined;
  const imapUser = existing?.imapUser ?? sharedMailbox ?? address;
  // Re-authentication keeps the address the admin confirmed; a new mailbox takes Microsoft's suggestion.
  const mailbox: { address: string; source: MailboxAddressSource } = existing
    ? { address: existing.emailAddress, source: 'kept' }
    : sharedMailbox
      ? { address: sharedMailbox, source: 'shared_mailbox' }
      : { address: identity.mailboxAddress, source: identity.addressSource };

  const proof =
    transport === 'graph'
      ? await proveGraphOnly(endpoints, imapUser, result.accessToken, claims.tid)
      : await proveMailboxAccess(endpoints, {
          imapUser,
          signInAddress: address,
          accessToken: result.accessToken,
          tenantId: claims.tid,
        }).then(({ imap, smtp }) => ({ read: imap, smtp }));
  if (!proof.read.ok) return connectFailure(proof.read.error);
  const sealedCache = cache.sealed();
  if (!sealedCache) throw new Error('msal returned tokens but wrote no cache');

  const account = await saveConnectedMailbox(db, admin, {
    existingId: existing?.id,
    kind: flow.intent === 'shared_mailbox' || existing?.kind === 'shared' ? 'shared' : 'user',
    appId: app.id,
    emailAddress: mailbox.address,
    signInAddress: address,
    displayName: flow.intent === 'shared_mailbox' ? null : (claims.name ?? null),
    homeAccountId,
    tenantId: claims.tid,
    imapUser,
    tokenCacheSealed: sealedCache,
    transport,
    access: 'delegated',
    smtpWarning: proof.smtp.ok
      ? null
      : {
          code: proof.smtp.error.code,
          message: proof.smtp.error.title,
          hint: proof.smtp.error.action,
          at: new Date().toISOString(),
        },
  });
  return {
    ok: true,
    accountId: account.id,
    addressSource: mailbox.source,
    ...(account.smtpWarning ? { warning: account.smtpWarning } : {}),
  };
}

/**
 * A delegated Graph mailbox proves itself by reading its Inbox with the token just issued; Graph sends through the
 * same token, so there is no separate SMTP check to warn about.
 */
async function proveGraphOnly(
  endpoints: ReturnType<typeof endpointsFor>,
  mailbox: string,
  accessToken: string,
  tenantId: string,
) {
  const inbox = await proveGraphAccess(endpoints, {
    address: mailbox,
    token: async () => accessToken,
    personal: isPersonalAccount(tenantId),
    access: 'delegated',
  });
  return { read: inbox, smtp: { ok: true as const } };
}

/** Guests sign in to the tenant with their home account; their mailbox, if any, lives in their own tenant. */
function guestRefusal(signInName: string) {
  return {
    code: 'account.guest',
    title: `${signInName} is a guest in this organisation and has no mailbox here.`,
    explanation:
      'Guest (B2B) accounts sign in to the tenant with an account from another organisation; Exchange keeps their mail in that other organisation.',
    action:
      'Connect the mailbox with an account that is a member of the organisation hosting it. If that is another organisation, set the tenant in the console to its directory ID, or to `organizations` for a multi-tenant app.',
    whoActs: 'console_admin' as const,
  };
}

/**
 * The admin-consent endpoint answers a refusal with `admin_consent=True&error=consent_required` and AADSTS65004
 * (v2-admin-consent, "Error response"): whatever the code, what happened is that no administrator approved.
 */
function adminConsentRefused(explained: ExplainedError): ExplainedError {
  if (explained.scope === 'transient') return explained;
  return {
    ...explained,
    title: 'Admin consent was not granted.',
    explanation:
      'The administrator declined the permissions on Microsoft’s page, cancelled it, or signed in with an account that may not approve apps for the organisation.',
    action:
      'Click Request admin consent again and have a Global Administrator, Application Administrator or Cloud Application Administrator of the mailboxes’ organisation accept. Until then its mailboxes cannot connect.',
    whoActs: 'azure_admin',
    needsAdminConsent: true,
  };
}
