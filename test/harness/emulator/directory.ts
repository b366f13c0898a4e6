/**
 * The emulated Entra directory: tenants, users (work, personal, shared mailboxes) and app registrations.
 * Object ids are derived from the address so a re-created harness hands out the same `oid` (deterministic tests).
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

  addTenant(input: TenantInput): Tenant {
    const parsed = tenantInput.parse(input);
    const tenant: Tenant = {
      id: parsed.id ?? deterministicGuid(`tenant:${parsed.domain}`),
      domains: [parsed.domain],
      displayName: parsed.displayName ?? parsed.domain,
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

  tenantName(tenantId: string): string {
    if (tenantId === PERSONAL_TENANT_ID) return 'Microsoft Accounts';
    return this.tenants.get(tenantId)?.displayName ?? tenantId;
  }

  addUser(input: UserInput): HarnessUser {
    const parsed = userInput.parse(input);
    const tenantId = parsed.kind === 'personal' ? PERSONAL_TENANT_ID : this.tenantFor(parsed.tenant, parsed.address);
    const user: HarnessUser = {
      address: parsed.address,
      displayName: parsed.displayName ?? parsed.address.split('@')[0] ?? parsed.address,
      kind: parsed.kind,
      tenantId,
      oid: parsed.oid ?? deterministicGuid(`user:${parsed.address}`),
      smtpAuthDisabled: parsed.smtpAuthDisabled,
      fullAccess: parsed.fullAccess,
      sendAs: parsed.sendAs,
    };
    this.users.set(user.address, user);
    return user;
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

  /** People who can type their address into a sign-in page: everyone but shared mailboxes. */
  signInUsers(): HarnessUser[] {
    return this.listUsers().filter((u) => u.kind !== 'shared');
  }

  /** Full Access: the mailbox owner, or a delegate listed on a shared mailbox. */
  mayOpenMailbox(userAddress: string, mailbox: string): boolean {
    const target = this.findUser(mailbox);
    if (!target) return false;
    if (target.address === userAddress.toLowerCase()) return true;
    return target.kind === 'shared' && target.fullAccess.includes(userAddress.toLowerCase());
  }

  maySendAs(userAddress: string, from: string): boolean {
    const lowerUser = userAddress.toLowerCase();
    const lowerFrom = from.toLowerCase();
    if (lowerFrom === lowerUser) return true;
    const target = this.findUser(lowerFrom);
    return target?.kind === 'shared' && target.sendAs.includes(lowerUser);
  }

  registerApp(input: AppInput): RegisteredApp {
    const parsed = appInput.parse(input);
    const app: RegisteredApp = {
      clientId: parsed.clientId.toLowerCase(),
      clientSecret: parsed.clientSecret,
      secretExpiresAt: parsed.secretExpiresAt,
      redirectUris: parsed.redirectUris,
      audience: parsed.audience,
      tenantId: this.tenantFor(parsed.tenant, undefined),
      displayName: parsed.displayName,
      consent: parsed.consent,
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
