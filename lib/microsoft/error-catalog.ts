import type { ErrorAdvice, ErrorContext } from '@/lib/microsoft/errors';

/**
 * Microsoft identity (AADSTS / OAuth) errors, as advice an admin can act on. Data only: the matching lives in
 * `errors.ts`. An entry is a function when its advice depends on the console's settings (tenant, callback URL).
 */
export type CatalogEntry = ErrorAdvice | ((context: ErrorContext & { text: string }) => ErrorAdvice);

const docs = {
  redirectUri: 'https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-redirect-uri',
  accountTypes: 'https://learn.microsoft.com/en-us/entra/identity-platform/howto-modify-supported-accounts',
  adminConsent: 'https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/grant-admin-consent',
  secrets: 'https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-credentials',
  refreshTokens: 'https://learn.microsoft.com/en-us/entra/identity-platform/refresh-tokens',
  conditionalAccess:
    'https://learn.microsoft.com/en-us/entra/identity/conditional-access/troubleshoot-conditional-access',
};

const tenantLabel = (tenant?: string) => (tenant ? `“${tenant}”` : 'the tenant entered here');
const mailboxLabel = (mailbox?: string) => mailbox ?? 'the mailbox';

const reauthenticate =
  (title: string, explanation: string): CatalogEntry =>
  (ctx) => ({
    title,
    explanation,
    action: `Re-authenticate the mailbox (the button on its page) and sign in as ${mailboxLabel(ctx.mailbox)}. Other mailboxes keep syncing.`,
    whoActs: 'mailbox_owner',
    scope: 'account',
    link: { label: 'Refresh token lifetime', href: docs.refreshTokens },
  });

const consentNeeded = (explanation: string): ErrorAdvice => ({
  title: 'An administrator of the mailbox’s organisation must approve this app first.',
  explanation,
  action:
    'A Global or Privileged Role Administrator opens the admin consent link and accepts, or grants it in Azure: App registrations → your app → API permissions → "Grant admin consent". Then connect the mailbox again.',
  whoActs: 'azure_admin',
  scope: 'config',
  needsAdminConsent: true,
  link: { label: 'Grant tenant-wide admin consent', href: docs.adminConsent },
});

const secretProblem = (title: string, explanation: string): ErrorAdvice => ({
  title,
  explanation,
  action:
    'In Azure: App registrations → your app → Certificates & secrets → New client secret. Copy its Value (not the Secret ID) and paste it in the console’s app settings, with its expiry date. Connected mailboxes stay connected and resume on the next sync.',
  whoActs: 'console_admin',
  scope: 'app',
  link: { label: 'Add a client secret', href: docs.secrets },
});

/**
 * The client-credentials grant names one directory ("the directory tenant ... in GUID or domain-name format",
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow): Entra answers
 * AADSTS9001023 for /common, and msal-node refuses `common`/`organizations` before asking (missing_tenant_id_error).
 */
const appAccessNeedsTenant: ErrorAdvice = {
  title: 'Application access needs the organisation’s own directory, not “organizations” or “common”.',
  explanation:
    'Without a signed-in user, Microsoft issues the app’s token for one named directory: the one whose mailboxes the app reads.',
  action:
    'Enter the Directory (tenant) ID of the organisation that hosts the mailboxes (Azure: Microsoft Entra ID → Overview) as the tenant in the console’s app settings.',
  whoActs: 'console_admin',
  scope: 'config',
};

/**
 * `access_denied&error_subcode=cancel` with no AADSTS code: Microsoft sends it both when the person leaves the
 * sign-in and when a user who may not consent leaves the "Need admin approval" page, so both are named.
 */
const endedWithoutConsent: ErrorAdvice = {
  title: 'The sign-in ended without consent, so no mailbox was connected.',
  explanation:
    'Microsoft answers this way when the person signing in cancels, and also when the organisation lets only administrators approve apps (Microsoft then shows “Need admin approval”).',
  action:
    'If Microsoft showed “Need admin approval”, click Request admin consent and have an administrator accept. Otherwise click Try again and finish the sign-in.',
  whoActs: 'console_admin',
  scope: 'account',
  needsAdminConsent: true,
};

/** AADSTS65004: the consent prompt was shown and declined; an admin's consent spares users the prompt. */
const consentDeclined: ErrorAdvice = {
  title: 'The permissions were declined, so no mailbox was connected.',
  explanation: 'Whoever signed in was asked to accept the app’s permissions and declined.',
  action:
    'Click Try again and accept the permissions Microsoft lists (mail access over IMAP and SMTP, offline access), or click Request admin consent so an administrator accepts them for the whole organisation.',
  whoActs: 'mailbox_owner',
  scope: 'account',
  needsAdminConsent: true,
  link: { label: 'Grant tenant-wide admin consent', href: docs.adminConsent },
};

const serviceDown: ErrorAdvice = {
  title: 'Microsoft’s sign-in service is temporarily unavailable.',
  explanation: 'The service is overloaded or under maintenance; nothing is wrong with the settings.',
  action: 'Nothing to do: the sync retries with increasing pauses. Try connecting again in a few minutes.',
  whoActs: 'microsoft',
  scope: 'transient',
};

const mfaRequired = reauthenticate(
  'Microsoft now requires multi-factor sign-in for this mailbox.',
  'A security policy asks for a second factor (or a fresh one), which the background sync cannot provide.',
);

/** Keyed by AADSTS number. */
export const AADSTS_CATALOG: Record<string, CatalogEntry> = {
  '50011': (ctx) => ({
    title: 'The callback URL is not registered on the Azure app.',
    explanation:
      'Microsoft only returns to redirect URIs listed on the app registration, spelled exactly (scheme, host, port, path, no trailing slash).',
    action: ctx.callbackUrl
      ? `In Azure: App registrations → your app → Authentication → add a platform of type Web, then save, with exactly this redirect URI: \`${ctx.callbackUrl}\``
      : 'In Azure: App registrations → your app → Authentication → add a platform of type Web with the redirect URI shown on the console’s app settings page, then save.',
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Add a redirect URI', href: docs.redirectUri },
  }),
  '50020': (ctx) => {
    const personal = /live\.com|outlook\.com|hotmail\.|personal/i.test(ctx.text);
    return {
      title: personal
        ? 'A personal Microsoft account signed in, but the app only accepts work or school accounts.'
        : 'The account that signed in belongs to a different organisation than the app accepts.',
      explanation: `The account type chosen in Azure and the tenant entered in the console (${tenantLabel(ctx.tenant)}) only admit accounts of one directory.`,
      action: personal
        ? 'To connect Outlook.com accounts, set Supported account types in Azure to "Accounts in any organizational directory and personal Microsoft accounts", then leave the tenant empty in the console (it means “common”).'
        : 'Sign in with an account of the tenant entered here. To connect other organisations, set Supported account types in Azure to "Accounts in any organizational directory", then enter this as the tenant in the console: `organizations`',
      whoActs: 'azure_admin',
      scope: 'config',
      link: { label: 'Change supported account types', href: docs.accountTypes },
    };
  },
  '50194': (ctx) => ({
    title: 'The Azure app is single-tenant, but the console uses a multi-tenant endpoint.',
    explanation: `Apps registered for "this organizational directory only" cannot sign in through ${tenantLabel(ctx.tenant)}.`,
    action:
      'If all mailboxes belong to one organisation, enter the Directory (tenant) ID from the app’s Overview page as the tenant in the console. Otherwise set Supported account types in Azure to "Accounts in any organizational directory".',
    whoActs: 'console_admin',
    scope: 'config',
    link: { label: 'Change supported account types', href: docs.accountTypes },
  }),
  '700016': (ctx) => ({
    title: 'Microsoft cannot find the app in the directory it was asked about.',
    explanation: `Either the Application (client) ID is wrong, or the app is registered in a different directory than ${tenantLabel(ctx.tenant)}.`,
    action:
      'Compare the client ID in the console with Application (client) ID on the app’s Overview page in Azure. If it matches, enter the Directory (tenant) ID from that page as the tenant; or make the app multi-tenant in Azure and enter this as the tenant: `organizations`',
    whoActs: 'console_admin',
    scope: 'config',
    link: { label: 'Change supported account types', href: docs.accountTypes },
  }),
  '65001': consentNeeded(
    'The permissions this app asks for have not been granted for this organisation yet, or the grant was removed.',
  ),
  '90094': consentNeeded('The organisation does not let users approve apps themselves; only an administrator can.'),
  '65004': consentDeclined,
  '7000215': secretProblem(
    'The app’s client secret is wrong, so no mailbox can get tokens.',
    'Microsoft rejected the secret stored in the console. Often the Secret ID was pasted instead of the secret Value.',
  ),
  '7000222': secretProblem(
    'The app’s client secret has expired, so no mailbox can get tokens.',
    'Azure client secrets expire after the period chosen when they were created (6, 12 or 24 months).',
  ),
  '7000112': {
    title: 'The app has been disabled in Azure.',
    explanation:
      'An administrator disabled the app (or its enterprise application) in the directory, so it cannot sign anyone in.',
    action: 'In Azure: Enterprise applications → the app → Properties → set "Enabled for users to sign-in?" to Yes.',
    whoActs: 'azure_admin',
    scope: 'app',
  },
  // "AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via
  // cross-origin requests." (msal-js#2482, #3032): the callback URL is registered under platform SPA.
  '9002327': (ctx) => ({
    title: 'The callback URL is registered as a single-page application; it must be a Web redirect URI.',
    explanation:
      'The console redeems the code on the server with a client secret, which Microsoft only allows for the Web platform.',
    action: ctx.callbackUrl
      ? `In Azure: App registrations → your app → Authentication → remove the callback URL from "Single-page application" and add it under "Web". The callback URL: \`${ctx.callbackUrl}\``
      : 'In Azure: App registrations → your app → Authentication → remove the callback URL from "Single-page application" and add it under "Web".',
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Redirect URI types', href: docs.redirectUri },
  }),
  '28000': {
    title: 'The sign-in asked for permissions of more than one Microsoft service at once.',
    explanation:
      'Mail access must only request https://outlook.office.com permissions; Microsoft Graph scopes cannot be mixed in.',
    action:
      'Remove extra scopes from the console’s configuration. If none were added, this is a bug in the console: report it with the details below.',
    whoActs: 'console_admin',
    scope: 'config',
  },
  '50173': reauthenticate(
    'This mailbox’s sign-in was revoked.',
    'The password was changed or reset, or an administrator revoked its sessions.',
  ),
  '700082': reauthenticate(
    'This mailbox has not been used for 90 days, so its sign-in expired.',
    'Microsoft expires refresh tokens that are not used for 90 days.',
  ),
  '70008': reauthenticate(
    'This mailbox’s sign-in expired.',
    'The authorization code or refresh token is too old or was already used.',
  ),
  '54005': reauthenticate(
    'The sign-in link was used twice.',
    'An authorization code can be redeemed once; a reload of the callback page tried again.',
  ),
  '50076': mfaRequired,
  '53003': (ctx) => ({
    title: 'A Conditional Access policy of the organisation blocked this sign-in.',
    explanation:
      'Policies can restrict sign-ins by location, device, app or user; the server running the sync may not qualify.',
    action: `In Entra: Sign-in logs → filter by ${mailboxLabel(ctx.mailbox)} → the failed sign-in → Conditional Access tab shows the policy. Exclude this app or allow the server’s network, then re-authenticate.`,
    whoActs: 'azure_admin',
    scope: 'account',
    link: { label: 'Troubleshoot Conditional Access', href: docs.conditionalAccess },
  }),
  '90002': (ctx) => ({
    title: 'Microsoft does not know the tenant entered in the console.',
    explanation: `${tenantLabel(ctx.tenant)} is not a directory ID or verified domain in this Microsoft cloud.`,
    action:
      'Copy Directory (tenant) ID from the app’s Overview page in Azure into the console, and check the cloud setting (Global, including GCC; GCC High; DoD; China).',
    whoActs: 'console_admin',
    scope: 'config',
  }),
  '9001023': appAccessNeedsTenant,
  '500011': {
    title: 'The organisation has no Exchange Online for this app to access.',
    explanation: 'The Office 365 Exchange Online service is not present in the directory the mailbox signed in to.',
    action: 'Make sure the mailbox has an Exchange Online licence and signs in to the organisation that hosts it.',
    whoActs: 'azure_admin',
    scope: 'account',
  },
  '50105': (ctx) => ({
    title: 'The mailbox is not assigned to the app.',
    explanation: 'The app requires user assignment, and this user is not in its list.',
    action: `In Entra: Enterprise applications → the app → Users and groups → add ${mailboxLabel(ctx.mailbox)}.`,
    whoActs: 'azure_admin',
    scope: 'account',
  }),
  '50057': {
    title: 'The mailbox’s user account is disabled.',
    explanation: 'Disabled accounts cannot sign in or receive tokens.',
    action: 'Enable the account in Entra (Users → the user → Account enabled), or remove the mailbox from the console.',
    whoActs: 'azure_admin',
    scope: 'account',
  },
};

/** AADSTS numbers that share the advice of another. */
export const AADSTS_ALIASES: Record<string, string> = {
  '90072': '50020', // same account/tenant mismatch, guest variant
  '500113': '50011', // no reply address registered at all
  '70000': '70008', // grant invalid or malformed
  '50079': '50076', // MFA enrolment required
  '50074': '50076', // strong authentication required
  '50158': '50076', // external security challenge not satisfied
  '9002325': '9002327', // PKCE required for cross-origin redemption: also an SPA-platform redirect URI
};

/** Keyed by OAuth `error` (RFC 6749) and msal-node error codes, used when no AADSTS number is known. */
export const OAUTH_CATALOG: Record<string, CatalogEntry> = {
  access_denied: endedWithoutConsent,
  missing_tenant_id_error: appAccessNeedsTenant,
  invalid_grant: reauthenticate(
    'This mailbox must be signed in again.',
    'Microsoft no longer accepts the stored sign-in for this mailbox.',
  ),
  interaction_required: reauthenticate(
    'This mailbox must be signed in again.',
    'Microsoft needs the user to sign in interactively.',
  ),
  login_required: reauthenticate(
    'This mailbox must be signed in again.',
    'Microsoft needs the user to sign in interactively.',
  ),
  no_tokens_found: reauthenticate(
    'This mailbox must be signed in again.',
    'No usable sign-in is stored for this mailbox.',
  ),
  refresh_token_expired: reauthenticate('This mailbox’s sign-in expired.', 'The stored refresh token has expired.'),
  consent_required: consentNeeded('The permissions this app asks for have not been granted.'),
  invalid_client: secretProblem(
    'Microsoft rejected the app’s credentials, so no mailbox can get tokens.',
    'The client ID or client secret in the console does not match the app registration.',
  ),
  unauthorized_client: {
    title: 'The Azure app is not allowed to sign in this way.',
    explanation: 'The app registration is disabled or not set up as a Web app with a client secret.',
    action: 'Check the app in Azure: Authentication has a Web redirect URI, and the enterprise application is enabled.',
    whoActs: 'azure_admin',
    scope: 'config',
  },
  invalid_scope: {
    title: 'Microsoft rejected the permissions the console asked for.',
    explanation: 'A requested scope is unknown or not allowed for this kind of account.',
    action:
      'Add the delegated permissions IMAP.AccessAsUser.All, SMTP.Send, offline_access, openid, profile and email in Azure → API permissions.',
    whoActs: 'azure_admin',
    scope: 'config',
  },
  temporarily_unavailable: serviceDown,
  server_error: serviceDown,
};
