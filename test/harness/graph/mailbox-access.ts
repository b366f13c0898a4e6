/**
 * Which mailbox `/users/{id|userPrincipalName}` names and whether the caller may read it or send from it.
 * - Unknown user: 404 `ErrorInvalidUser` "The requested user '…' is invalid."
 *   (microsoftgraph/microsoft-graph-explorer-v4#3293 quotes the message); a user without an Exchange Online mailbox
 *   (here: a guest): 404 `MailboxNotEnabledForRESTAPI` "The mailbox is either inactive, soft-deleted, or is hosted
 *   on-premise." (iyear/E5SubBot#39 quotes the body; microsoftgraph/microsoft-graph-docs#10481 shows the code can
 *   also come as ResourceNotFound: the documented-looking one is used).
 * - App-only: an unscoped Entra application permission in `roles` (Mail.Read/Mail.ReadWrite to read, Mail.Send to
 *   send; https://learn.microsoft.com/en-us/graph/permissions-reference) opens every mailbox of the tenant; else an
 *   RBAC for Applications assignment ("Application Mail.ReadWrite") whose management scope holds the mailbox;
 *   outside it 403 ErrorAccessDenied (https://learn.microsoft.com/en-us/graph/auth-limit-mailbox-access,
 *   https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac; the grants are additive).
 * - Delegated: the user's own mailbox with Mail.*, another one only with the `.Shared` scope and Full Access
 *   (sending: Send As) (https://learn.microsoft.com/en-us/graph/outlook-share-messages-folders).
 */
import type { HarnessUser } from '../emulator/model';
import type { EmulatorState } from '../emulator/state';
import { GraphError, accessDenied } from './errors';
import type { Principal } from './principal';

/** `write`: changing or deleting a message (PATCH, DELETE), which takes Mail.ReadWrite (permissions-reference). */
export type MailAccess = 'read' | 'write' | 'send';

const APP_ROLES: Record<MailAccess, string[]> = {
  read: ['Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'],
  write: ['Mail.ReadWrite'],
  send: ['Mail.Send'],
};
const OWN_SCOPES: Record<MailAccess, string[]> = {
  read: ['Mail.Read', 'Mail.ReadWrite'],
  write: ['Mail.ReadWrite'],
  send: ['Mail.Send'],
};
const SHARED_SCOPES: Record<MailAccess, string[]> = {
  read: ['Mail.Read.Shared', 'Mail.ReadWrite.Shared'],
  write: ['Mail.ReadWrite.Shared'],
  send: ['Mail.Send.Shared'],
};

export function resolveMailbox(state: EmulatorState, principal: Principal, idOrUpn: string): HarnessUser {
  const key = decodeURIComponent(idOrUpn).toLowerCase();
  const users = state.directory.listUsers();
  const user = users.find((u) => u.address === key || u.upn === key || u.oid === key || u.aliases.includes(key));
  const tenantId =
    principal.kind === 'app' ? principal.tenantId : state.directory.findUser(principal.address)?.tenantId;
  if (!user || user.tenantId !== tenantId) {
    throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${decodeURIComponent(idOrUpn)}' is invalid.`);
  }
  if (user.kind === 'guest') {
    throw new GraphError(
      404,
      'MailboxNotEnabledForRESTAPI',
      'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
    );
  }
  return user;
}

export function authorizeMailbox(
  state: EmulatorState,
  principal: Principal,
  mailbox: HarnessUser,
  access: MailAccess,
): void {
  if (principal.kind === 'app') {
    if (principal.roles.some((r) => APP_ROLES[access].includes(r))) return;
    // Exchange evaluates RBAC for Applications itself: role "Application <permission>" within its scope.
    const app = state.directory.findApp(principal.clientId);
    const assigned = (app?.rbacAssignments ?? []).some(
      (a) =>
        APP_ROLES[access].some((r) => a.role === `Application ${r}`) &&
        (a.mailboxes === null || a.mailboxes.includes(mailbox.address)),
    );
    if (!assigned) throw accessDenied();
    return;
  }
  if (mailbox.address === principal.address) {
    if (!principal.scopes.some((s) => OWN_SCOPES[access].includes(s) || SHARED_SCOPES[access].includes(s)))
      throw accessDenied();
    return;
  }
  const delegated = access === 'send' ? mailbox.sendAs : mailbox.fullAccess;
  if (!principal.scopes.some((s) => SHARED_SCOPES[access].includes(s)) || !delegated.includes(principal.address)) {
    throw accessDenied();
  }
}
