/**
 * Shapes shared by the emulator and its control client: the directory (tenants, users, app registrations)
 * and the faults a test can arm. Control input is validated with zod because it arrives over HTTP from
 * other processes (Playwright, `npm run harness`).
 */
import { z } from 'zod';

/** Tenant id every personal Microsoft account (outlook.com, hotmail.com) carries in `tid`. */
export const PERSONAL_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

export const DEFAULT_TENANT = { id: 'c0ffee00-1111-4222-8333-444455556666', domain: 'contoso.test' } as const;

const address = z.string().trim().toLowerCase().pipe(z.email());

export const tenantInput = z.object({
  id: z.guid().optional(),
  domain: z.string().trim().toLowerCase().min(3),
  displayName: z.string().optional(),
  /** `Set-TransportConfig -SmtpClientAuthenticationDisabled $true`: SMTP AUTH off for every mailbox of the tenant. */
  smtpAuthDisabled: z.boolean().default(false),
  /**
   * `Set-OrganizationConfig -SendFromAliasEnabled`: false (Microsoft's default) rewrites an alias in From to the
   * primary address; true keeps it. Set-OrganizationConfig.md, MicrosoftDocs/office-docs-powershell.
   */
  sendFromAliasEnabled: z.boolean().default(false),
});
export type TenantInput = z.input<typeof tenantInput>;

export interface Tenant {
  id: string;
  domains: string[];
  displayName: string;
  smtpAuthDisabled: boolean;
  sendFromAliasEnabled: boolean;
}

/** Exchange Online's default MaxSendSize of a mailbox (Exchange Online limits; office-docs issue #264). */
export const DEFAULT_MAX_SEND_BYTES = 35 * 1024 * 1024;

export const userInput = z.object({
  /** The mailbox's primary SMTP address (its key here and its maildir); for a guest, its home address. */
  address,
  displayName: z.string().optional(),
  /**
   * `shared` mailboxes cannot sign in; delegates open them with their own token. A `guest` (B2B, `#EXT#` UPN)
   * signs in to the tenant but has no mailbox in it.
   */
  kind: z.enum(['work', 'personal', 'shared', 'guest']).default('work'),
  /**
   * What the person types and `preferred_username` carries: the UPN for work accounts (often on
   * onmicrosoft.com), any e-mail address or a phone number for personal ones. Defaults to the address.
   */
  signInName: z.string().trim().toLowerCase().min(3).max(256).optional(),
  /** Proxy addresses (smtp:) the mailbox also receives at; From may use them (rewritten, see the tenant). */
  aliases: z.array(address).default([]),
  /**
   * The id token's `email` claim: `mail` (the mailbox's primary address, Entra's mail attribute), `none`
   * (absent: Microsoft sends it only when it knows an addressable mail), or another address (a stale mail
   * attribute). id-token-claims-reference, learn.microsoft.com/entra/identity-platform.
   */
  emailClaim: z.union([z.enum(['mail', 'none']), address]).default('mail'),
  /** Tenant GUID or domain (for a guest: the tenant it is invited to); defaults to the one owning the domain. */
  tenant: z.string().optional(),
  oid: z.guid().optional(),
  smtpAuthDisabled: z.boolean().default(false),
  maxSendBytes: z.number().int().positive().default(DEFAULT_MAX_SEND_BYTES),
  /** For a shared mailbox: delegates with Full Access (may open it over IMAP). */
  fullAccess: z.array(address).default([]),
  /** For a shared mailbox: delegates with Send As (may send From it). */
  sendAs: z.array(address).default([]),
});
export type UserInput = z.input<typeof userInput>;

export const userPatch = userInput
  .pick({
    displayName: true,
    smtpAuthDisabled: true,
    fullAccess: true,
    sendAs: true,
    aliases: true,
    emailClaim: true,
    maxSendBytes: true,
  })
  .partial();
export type UserPatch = z.input<typeof userPatch>;

export interface HarnessUser {
  address: string;
  displayName: string;
  kind: 'work' | 'personal' | 'shared' | 'guest';
  tenantId: string;
  /** `preferred_username`. */
  signInName: string;
  /** The directory's UPN: the sign-in name, or `alias_domain#EXT#@tenant` for a guest. */
  upn: string;
  aliases: string[];
  emailClaim: string;
  /** A guest's home identity provider, the id token's `idp`; null for members. */
  idp: string | null;
  oid: string;
  smtpAuthDisabled: boolean;
  maxSendBytes: number;
  fullAccess: string[];
  sendAs: string[];
}

export const signInAudiences = ['single', 'organizations', 'common', 'consumers'] as const;
export type SignInAudience = (typeof signInAudiences)[number];

export const appInput = z.object({
  clientId: z.guid(),
  clientSecret: z.string().min(1),
  /** ISO date; after it the (correct) secret is refused with AADSTS7000222. */
  secretExpiresAt: z.iso.datetime().nullable().default(null),
  redirectUris: z.array(z.url()).min(1),
  /**
   * Which platform the redirect URIs are registered under. `spa`: authorize works, but a server redeeming the
   * code fails with AADSTS9002327 (msal-js#2482, #3032: "...may only be redeemed via cross-origin requests").
   */
  redirectPlatform: z.enum(['web', 'spa']).default('web'),
  audience: z.enum(signInAudiences).default('organizations'),
  /** Home tenant (GUID or domain); for `single` the only tenant whose users may sign in. */
  tenant: z.string().optional(),
  displayName: z.string().default('Mailgate 365'),
  /**
   * `granted`: consented already; `user`: each user sees a consent page once; `admin`: users may not consent
   * (the tenant's user-consent setting), so interactive sign-in shows "Need admin approval" and token requests
   * fail with AADSTS65001 until an admin consents for the user's tenant.
   */
  consent: z.enum(['granted', 'user', 'admin']).default('granted'),
  /**
   * Microsoft Graph application permissions (app roles, e.g. `Mail.ReadWrite`, `Mail.Send`) an administrator
   * granted: they become the `roles` of a client-credentials token for Graph. Without a grant Entra still issues the
   * token, with no `roles` claim, and Graph refuses the calls (learn.microsoft.com/en-us/graph/auth-v2-service;
   * learn.microsoft.com/en-us/answers/questions/5672988).
   */
  applicationPermissions: z.array(z.string()).default([]),
  /**
   * RBAC for Applications in Exchange Online (`New-ManagementRoleAssignment -App … -Role "Application Mail.ReadWrite"
   * -CustomResourceScope …`): Exchange-side grants, not in the token, each limited to the listed mailboxes (a
   * management scope) or tenant-wide (null). They are independent of, and add to, the unscoped Entra grants above:
   * an app that keeps an Entra `Mail.ReadWrite` reaches every mailbox whatever its scope
   * (learn.microsoft.com/en-us/graph/auth-limit-mailbox-access: "These permission grants are independent of the
   * unscoped grants in Microsoft Entra ID").
   */
  rbacAssignments: z
    .array(z.object({ role: z.string(), mailboxes: z.array(address).nullable().default(null) }))
    .default([]),
  /**
   * Application permissions of the "Office 365 Exchange Online" API an administrator granted (`IMAP.AccessAsApp`,
   * `SMTP.SendAsApp`, `POP.AccessAsApp`): the `roles` of a client-credentials token for `https://outlook.office365.com/.default`
   * (learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth,
   * "Use client credentials grant flow to authenticate SMTP, IMAP and POP connections").
   */
  exchangePermissions: z.array(z.enum(['IMAP.AccessAsApp', 'SMTP.SendAsApp', 'POP.AccessAsApp'])).default([]),
  /** `New-ServicePrincipal -AppId … -ObjectId …` was run in Exchange Online for this app (same page). */
  exchangeServicePrincipal: z.boolean().default(false),
  /**
   * Mailboxes on which the app's Exchange service principal holds `Add-MailboxPermission … -AccessRights FullAccess`
   * (same page): the only mailboxes its IMAP and SMTP tokens open.
   */
  mailboxPermissions: z.array(address).default([]),
});
export type AppInput = z.input<typeof appInput>;

export interface RegisteredApp {
  clientId: string;
  clientSecret: string;
  secretExpiresAt: string | null;
  redirectUris: string[];
  redirectPlatform: 'web' | 'spa';
  audience: SignInAudience;
  tenantId: string;
  displayName: string;
  consent: 'granted' | 'user' | 'admin';
  applicationPermissions: string[];
  rbacAssignments: Array<{ role: string; mailboxes: string[] | null }>;
  exchangePermissions: string[];
  exchangeServicePrincipal: boolean;
  mailboxPermissions: string[];
}

export const tokenFaultInput = z.object({
  /** AADSTS number; status, error and text default to Microsoft's for known codes. */
  code: z.number().int().positive(),
  count: z.number().int().positive().default(1),
  grantType: z.enum(['authorization_code', 'refresh_token']).optional(),
  status: z.number().int().min(400).max(599).optional(),
  error: z.string().optional(),
  description: z.string().optional(),
  retryAfterSeconds: z.number().int().positive().optional(),
});
export type TokenFaultInput = z.input<typeof tokenFaultInput>;
export type TokenFault = z.output<typeof tokenFaultInput>;

export const authorizeFaultInput = z.object({
  code: z.number().int().positive(),
  count: z.number().int().positive().default(1),
  error: z.string().optional(),
  description: z.string().optional(),
});
export type AuthorizeFaultInput = z.input<typeof authorizeFaultInput>;
export type AuthorizeFault = z.output<typeof authorizeFaultInput>;

export const issueTokensInput = z.object({
  address,
  clientId: z.guid().optional(),
  scopes: z.array(z.string()).optional(),
});
export type IssueTokensInput = z.input<typeof issueTokensInput>;

export interface IssuedTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  at: number;
}
