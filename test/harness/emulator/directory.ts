/**
 * The emulated Entra directory and Exchange recipients: tenants, users (work, personal, shared mailboxes, guests)
 * with their sign-in name (UPN), primary SMTP address and proxy addresses, and app registrations. Object ids are
 * derived from the address so a re-created harness hands out the same `oid` (deterministic tests).
 */
import { createHash } from 'node:crypto';
import { aadError } from './aadsts';
import {
  DEFAULT_TENANT,
  PERSONAL_TENANT_ID,
  appInput,
  tenantInput,
  userInput,
  userPatch,
  type AppInput,
  type HarnessUser,
  type RegisteredApp,
  type Tenant,
  type TenantInput,
  type UserInput,
  type UserPatch,
} from './model';

/** What a `{tenant}` path segment means: one directory, or one of Microsoft's multi-tenant aliases. */
export type TenantScope =
  { kind: 'tenant'; tenant: Tenant } | { kind: 'organizations' } | { kind: 'common' } | { kind: 'consumers' };

export class Directory {
  private readonly tenants = new Map<string, Tenant>();
  private readonly users = new Map<string, HarnessUser>();
  private readonly apps = new Map<string, RegisteredApp>();

  constructor() {
    this.reset();
  }

  reset(): void {
    this.tenants.clear();
    this.users.clear();
    this.apps.clear();
    this.addTenant({ id: DEFAULT_TENANT.id, domain: DEFAULT_TENANT.domain, displayName: 'Contoso' });
  }

  /** Adds a tenant, or replaces the settings of the one with the same id. */
  addTenant(input: TenantInput): Tenant {
    const parsed = tenantInput.parse(input);
    const tenant: Tenant = {
      id: parsed.id ?? deterministicGuid(`tenant:${parsed.domain}`),
      domains: [parsed.domain],
      displayName: parsed.displayName ?? parsed.domain,
      smtpAuthDisabled: parsed.smtpAuthDisabled,
      sendFromAliasEnabled: parsed.sendFromAliasEnabled,
    };
    this.tenants.set(tenant.id, tenant);
    return tenant;
  }

  /** Resolves a path segment; unknown directories are AADSTS90002 like Microsoft. */
  resolveScope(segment: string): TenantScope {
    const lower = segment.toLowerCase();
    if (lower === 'organizations' || lower === 'common' || lower === 'consumers') return { kind: lower };
    if (lower === PERSONAL_TENANT_ID) return { kind: 'consumers' };
    const tenant = this.findTenant(lower);
    if (!tenant) throw aadError(90002, { tenant: segment });
    return { kind: 'tenant', tenant };
  }

  findTenant(idOrDomain: string): Tenant | undefined {
    const lower = idOrDomain.toLowerCase();
    return this.tenants.get(lower) ?? [...this.tenants.values()].find((t) => t.domains.includes(lower));
  }

  tenantById(tenantId: string): Tenant | undefined {
    return this.tenants.get(tenantId);
  }

  tenantName(tenantId: string): string {
    if (tenantId === PERSONAL_TENANT_ID) return 'Microsoft Accounts';
    return this.tenants.get(tenantId)?.displayName ?? tenantId;
  }

  addUser(input: UserInput): HarnessUser {
    const parsed = userInput.parse(input);
    const tenantId = parsed.kind === 'personal' ? PERSONAL_TENANT_ID : this.tenantFor(parsed.tenant, parsed.address);
    const signInName = parsed.signInName ?? parsed.address;
    const user: HarnessUser = {
      address: parsed.address,
      displayName: parsed.displayName ?? parsed.address.split('@')[0] ?? parsed.address,
      kind: parsed.kind,
      tenantId,
      signInName,
      upn: parsed.kind === 'guest' ? this.guestUpn(parsed.address, tenantId) : signInName,
      aliases: parsed.aliases.filter((alias) => alias !== parsed.address),
      emailClaim: parsed.emailClaim,
      idp: parsed.kind === 'guest' ? this.homeIdp(parsed.address) : null,
      oid: parsed.oid ?? deterministicGuid(`user:${parsed.address}`),
      smtpAuthDisabled: parsed.smtpAuthDisabled,
      maxSendBytes: parsed.maxSendBytes,
      fullAccess: parsed.fullAccess,
      sendAs: parsed.sendAs,
    };
    this.users.set(user.address, user);
    return user;
  }

  /**
   * A B2B guest's UPN in the inviting tenant: `alias_domain#EXT#@<tenant domain>` (Entra B2B user properties,
   * learn.microsoft.com/entra/external-id/user-properties).
   */
  private guestUpn(address: string, tenantId: string): string {
    const domain = this.tenants.get(tenantId)?.domains[0] ?? DEFAULT_TENANT.domain;
    return `${address.replace('@', '_')}#EXT#@${domain}`;
  }

  /** A guest's `idp`: its home tenant's STS (id-token-claims-reference, `idp`); live.com for personal accounts. */
  private homeIdp(address: string): string {
    const domain = address.split('@')[1] ?? '';
    const home = this.findTenant(domain)?.id ?? deterministicGuid(`tenant:${domain}`);
    return `https://sts.windows.net/${home}/`;
  }

  updateUser(address: string, patch: UserPatch): HarnessUser {
    const user = this.requireUser(address);
    const parsed = userPatch.parse(patch);
    const updated: HarnessUser = {
      ...user,
      ...Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)),
    };
    this.users.set(user.address, updated);
    return updated;
  }

  findUser(address: string): HarnessUser | undefined {
    return this.users.get(address.toLowerCase());
  }

  requireUser(address: string): HarnessUser {
    const user = this.findUser(address);
    if (!user) throw new Error(`No harness user ${address}`);
    return user;
  }

  listUsers(): HarnessUser[] {
    return [...this.users.values()];
  }

  /** People who can type their sign-in name into a sign-in page: everyone but shared mailboxes. */
  signInUsers(): HarnessUser[] {
    return this.listUsers().filter((u) => u.kind !== 'shared');
  }

  /**
   * The mailbox an XOAUTH2 `user=` names: its owner's UPN or its primary SMTP address. Microsoft documents the
   * UPN (and the shared mailbox's address) and is silent on aliases, so an alias names no mailbox here
   * (stricter). Guests have no mailbox in the tenant.
   */
  mailboxByLogin(login: string): HarnessUser | undefined {
    const lower = login.toLowerCase();
    const user = this.findUser(lower) ?? this.listUsers().find((u) => u.upn === lower || u.signInName === lower);
    return user && user.kind !== 'guest' ? user : undefined;
  }

  /** The mailbox mail to this address lands in: primary or proxy address, as Exchange routes it. */
  recipient(address: string): HarnessUser | undefined {
    const lower = address.toLowerCase();
    const user = this.findUser(lower) ?? this.listUsers().find((u) => u.aliases.includes(lower));
    return user && user.kind !== 'guest' ? user : undefined;
  }

  /**
   * The mailbox a token of `owner` (the user's key) may open as `login`: its own, or a shared one it has Full
   * Access to. Returns the canonical mailbox address, the one Dovecot's maildir is named after.
   */
  openableMailbox(owner: string, login: string): string | undefined {
    const target = this.mailboxByLogin(login);
    if (!target) return undefined;
    if (target.address === owner.toLowerCase()) return target.address;
    return target.kind === 'shared' && target.fullAccess.includes(owner.toLowerCase()) ? target.address : undefined;
  }

  mayOpenMailbox(owner: string, login: string): boolean {
    return this.openableMailbox(owner, login) !== undefined;
  }

  /** From may be the sender's own primary address or alias, or one of a shared mailbox it holds Send As on. */
  maySendAs(owner: string, from: string): boolean {
    const target = this.recipient(from);
    if (!target) return false;
    if (target.address === owner.toLowerCase()) return true;
    return target.kind === 'shared' && target.sendAs.includes(owner.toLowerCase());
  }

  registerApp(input: AppInput): RegisteredApp {
    const parsed = appInput.parse(input);
    const app: RegisteredApp = {
      clientId: parsed.clientId.toLowerCase(),
      clientSecret: parsed.clientSecret,
      secretExpiresAt: parsed.secretExpiresAt,
      redirectUris: parsed.redirectUris,
      redirectPlatform: parsed.redirectPlatform,
      audience: parsed.audience,
      tenantId: this.tenantFor(parsed.tenant, undefined),
      displayName: parsed.displayName,
      consent: parsed.consent,
      applicationPermissions: parsed.applicationPermissions,
      rbacAssignments: parsed.rbacAssignments,
      exchangePermissions: parsed.exchangePermissions,
      exchangeServicePrincipal: parsed.exchangeServicePrincipal,
      mailboxPermissions: parsed.mailboxPermissions,
    };
    this.apps.set(app.clientId, app);
    return app;
  }

  findApp(clientId: string): RegisteredApp | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  listApps(): RegisteredApp[] {
    return [...this.apps.values()];
  }

  private tenantFor(requested: string | undefined, address: string | undefined): string {
    if (requested) {
      const tenant = this.findTenant(requested);
      if (!tenant) throw new Error(`Unknown harness tenant ${requested}`);
      return tenant.id;
    }
    const domain = address?.split('@')[1];
    return (domain && this.findTenant(domain)?.id) || DEFAULT_TENANT.id;
  }
}

/** A v4-shaped GUID from a name, so ids survive harness restarts. */
export function deterministicGuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
