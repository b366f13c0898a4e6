/**
 * Who may use which app through which `{tenant}` path: the sign-in audience rules of an Entra app registration
 * and the AADSTS codes Microsoft answers when they are broken.
 */
import { aadError } from './aadsts';
import type { Directory, TenantScope } from './directory';
import { PERSONAL_TENANT_ID, type HarnessUser, type RegisteredApp } from './model';

const MICROSOFT_ACCOUNTS = 'Microsoft Accounts';

/** The path-level check, done before any account is picked (and again at the token endpoint). */
export function assertAppServesScope(app: RegisteredApp, scope: TenantScope, segment: string): void {
  const names = { clientId: app.clientId, appName: app.displayName };
  switch (app.audience) {
    case 'single':
      if (scope.kind === 'organizations' || scope.kind === 'common') throw aadError(50194, names);
      if (scope.kind === 'consumers') throw aadError(700016, { ...names, tenant: MICROSOFT_ACCOUNTS });
      if (scope.tenant.id !== app.tenantId) throw aadError(700016, { ...names, tenant: segment });
      return;
    case 'organizations':
      if (scope.kind === 'consumers') throw aadError(700016, { ...names, tenant: MICROSOFT_ACCOUNTS });
      return;
    case 'consumers':
      if (scope.kind !== 'consumers') throw aadError(9002331, names);
      return;
    case 'common':
      return;
  }
}

/** The account-level check once a user was picked: AADSTS50020 when the account is not welcome here. */
export function assertUserMaySignIn(
  app: RegisteredApp,
  scope: TenantScope,
  user: HarnessUser,
  directory: Directory,
): void {
  const personal = user.tenantId === PERSONAL_TENANT_ID;
  const refuse = (tenantId: string): never => {
    throw aadError(50020, {
      user: user.address,
      idp: personal ? 'live.com' : `https://sts.windows.net/${user.tenantId}/`,
      tenant: directory.tenantName(tenantId),
      clientId: app.clientId,
      appName: app.displayName,
    });
  };
  if (scope.kind === 'tenant' && scope.tenant.id !== user.tenantId) refuse(scope.tenant.id);
  if (scope.kind === 'organizations' && personal) refuse(app.tenantId);
  if (scope.kind === 'consumers' && !personal) refuse(PERSONAL_TENANT_ID);
  if (app.audience === 'single' && user.tenantId !== app.tenantId) refuse(app.tenantId);
  if (app.audience === 'organizations' && personal) refuse(app.tenantId);
  if (app.audience === 'consumers' && !personal) refuse(PERSONAL_TENANT_ID);
}
