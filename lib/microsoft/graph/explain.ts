import type { ErrorAdvice, ErrorContext, ExplainedError } from '@/lib/microsoft/errors';
import { redactSecrets } from '@/lib/microsoft/error-text';
import type { GraphFailure, GraphFailureKind } from '@/lib/microsoft/graph/failure';

/**
 * Graph failures as the same advice the AADSTS and mail catalogs give: a sentence, who acts, the fix. The codes are
 * `graph.<kind>`; Graph's own code and message go to `raw` for the details block and the log.
 */
const docs = {
  // RBAC for Applications: a role assignment with a management scope decides which mailboxes an app may open.
  appRbac: 'https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac',
  permissions: 'https://learn.microsoft.com/en-us/graph/permissions-reference',
  errors: 'https://learn.microsoft.com/en-us/graph/errors',
};

const mailboxLabel = (ctx: ErrorContext) => ctx.mailbox ?? '<mailbox>';

const CATALOG: Partial<Record<GraphFailureKind, (ctx: ErrorContext) => ErrorAdvice>> = {
  access_denied: (ctx) => ({
    title: `The app may not open ${mailboxLabel(ctx)} through Microsoft Graph.`,
    explanation:
      'Either no administrator granted the app the Mail.ReadWrite application permission, or Exchange Online’s RBAC for Applications limits the app to mailboxes in a management scope that does not include this one.',
    action: `Add ${mailboxLabel(ctx)} to the management scope of the app’s “Application Mail.ReadWrite” role assignment (or widen the scope’s filter), then check in Exchange Online PowerShell: \`Test-ServicePrincipalAuthorization -Identity <app's service principal> -Resource ${mailboxLabel(ctx)}\` shows InScope True. Without RBAC for Applications, grant admin consent for Mail.ReadWrite (application) in Azure.`,
    whoActs: 'azure_admin',
    scope: 'account',
    link: { label: 'RBAC for Applications in Exchange Online', href: docs.appRbac },
  }),
  mailbox_unavailable: (ctx) => ({
    title: `Microsoft Graph finds no Exchange Online mailbox for ${mailboxLabel(ctx)}.`,
    explanation:
      'The address is not a user of this organisation, or the user has no mailbox in Exchange Online (unlicensed, soft-deleted, or hosted on-premises).',
    action: 'Check the address for typos and that the user has an Exchange Online licence, then add the mailbox again.',
    whoActs: 'console_admin',
    scope: 'account',
  }),
  throttled: () => ({
    title: 'Microsoft Graph is throttling this mailbox for a while.',
    explanation:
      'Outlook allows an app four requests at a time and 10,000 per 10 minutes to one mailbox; the sync asked for more.',
    action: 'Nothing to do: the sync waits at least as long as Microsoft asked and then continues.',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  network: () => ({
    title: 'Microsoft Graph could not be reached.',
    explanation: 'The connection failed, timed out or was cut: a network problem or an outage, not a settings problem.',
    action:
      'Nothing to do: the sync retries with increasing pauses. If it never recovers, check that the server can reach Microsoft Graph over HTTPS.',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  unauthorized: () => ({
    title: 'Microsoft Graph refused the app’s token.',
    explanation: 'A freshly issued token was refused too: the app’s access was revoked or its permissions changed.',
    action:
      'In Azure, check the app’s API permissions (Microsoft Graph, application: Mail.ReadWrite) and grant admin consent again.',
    whoActs: 'azure_admin',
    scope: 'app',
    link: { label: 'Microsoft Graph permissions', href: docs.permissions },
  }),
};

export function explainGraphFailure(failure: GraphFailure, context: ErrorContext = {}): ExplainedError {
  const raw = redactSecrets(`${failure.code}: ${failure.message}`);
  const retryAfterMs = failure.details.retryAfterMs;
  const advice = CATALOG[failure.kind]?.(context) ?? unexpected();
  return {
    code: `graph.${failure.kind}`,
    ...advice,
    ...(retryAfterMs && retryAfterMs > 0 ? { retryAfterMs } : {}),
    raw,
  };
}

function unexpected(): ErrorAdvice {
  return {
    title: 'Microsoft Graph answered in a way this console did not expect.',
    explanation: 'Microsoft’s own code and message are in the details.',
    action:
      'Nothing to do now: the sync retries with increasing pauses. If it repeats, the details help Microsoft support.',
    whoActs: 'nobody',
    scope: 'transient',
    link: { label: 'Microsoft Graph error responses', href: docs.errors },
  };
}
