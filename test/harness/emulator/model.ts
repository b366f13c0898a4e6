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
});
export type TenantInput = z.input<typeof tenantInput>;

export interface Tenant {
  id: string;
  domains: string[];
  displayName: string;
}

export const userInput = z.object({
  address,
  displayName: z.string().optional(),
  /** `shared` mailboxes cannot sign in; delegates open them with their own token. */
  kind: z.enum(['work', 'personal', 'shared']).default('work'),
  /** Tenant GUID or domain; defaults to the tenant owning the address's domain, else the default tenant. */
  tenant: z.string().optional(),
  oid: z.guid().optional(),
  smtpAuthDisabled: z.boolean().default(false),
  /** For a shared mailbox: delegates with Full Access (may open it over IMAP). */
  fullAccess: z.array(address).default([]),
  /** For a shared mailbox: delegates with Send As (may send From it). */
  sendAs: z.array(address).default([]),
});
export type UserInput = z.input<typeof userInput>;

export const userPatch = userInput
  .pick({ displayName: true, smtpAuthDisabled: true, fullAccess: true, sendAs: true })
  .partial();
export type UserPatch = z.input<typeof userPatch>;

export interface HarnessUser {
  address: string;
  displayName: string;
  kind: 'work' | 'personal' | 'shared';
  tenantId: string;
  oid: string;
  smtpAuthDisabled: boolean;
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
  audience: z.enum(signInAudiences).default('organizations'),
  /** Home tenant (GUID or domain); for `single` the only tenant whose users may sign in. */
  tenant: z.string().optional(),
  displayName: z.string().default('Mailgate 365'),
  /**
   * `granted`: consented already; `user`: each user sees a consent page once;
   * `admin`: sign-in fails with AADSTS65001 until admin consent is given for the user's tenant.
   */
  consent: z.enum(['granted', 'user', 'admin']).default('granted'),
});
export type AppInput = z.input<typeof appInput>;

export interface RegisteredApp {
  clientId: string;
  clientSecret: string;
  secretExpiresAt: string | null;
  redirectUris: string[];
  audience: SignInAudience;
  tenantId: string;
  displayName: string;
  consent: 'granted' | 'user' | 'admin';
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
