import type { ErrorAdvice, ErrorContext, ExplainedError } from '@/lib/microsoft/errors';
import { explainGraphFailure } from '@/lib/microsoft/graph/explain';
import type { GraphFailure } from '@/lib/microsoft/graph/failure';

/**
 * A refused Graph sendMail as a sentence with the fix. `ctx.mailbox` is the mailbox the message was submitted as,
 * `ctx.fromAddress` the From it named. Failures that are not about sending (an unknown mailbox, a mailbox outside
 * Exchange Online, network) get explainGraphFailure's advice.
 */
const docs = {
  // Send As and Send on Behalf are granted on the mailbox named in From, in Exchange, not in Azure.
  sendAs: 'https://learn.microsoft.com/en-us/graph/outlook-send-mail-from-other-user',
  // "Application Mail.Send" assigned to the app's service principal with a management scope holding the mailbox.
  appRbac: 'https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac',
  limits:
    'https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits',
  sendMail: 'https://learn.microsoft.com/en-us/graph/api/user-sendmail',
};

const sender = (ctx: ErrorContext) => ctx.mailbox ?? '<mailbox>';
const from = (ctx: ErrorContext) => ctx.fromAddress ?? '<from address>';

const sendAsDenied = (ctx: ErrorContext): ErrorAdvice => ({
  title: `${sender(ctx)} may not send as ${from(ctx)}.`,
  explanation:
    'Exchange accepts a From address of another mailbox only if the sending mailbox holds Send As on it (or Send on Behalf, when the message names it as Sender).',
  action: `In Exchange Online PowerShell grant Send As: \`Add-RecipientPermission -Identity ${from(ctx)} -Trustee ${sender(ctx)} -AccessRights SendAs\` (or Send on Behalf: \`Set-Mailbox -Identity ${from(ctx)} -GrantSendOnBehalfTo @{Add="${sender(ctx)}"}\`). Changes can take an hour to apply.`,
  whoActs: 'azure_admin',
  scope: 'config',
  link: { label: 'Send mail as another user', href: docs.sendAs },
});

const sendDenied = (ctx: ErrorContext): ErrorAdvice => ({
  title: `The app may not send mail as ${sender(ctx)} through Microsoft Graph.`,
  explanation:
    'Either no administrator granted the app the Mail.Send application permission, or Exchange Online’s RBAC for Applications limits sending to mailboxes in a management scope that does not include this one.',
  action: `In Exchange Online PowerShell, assign the role within a scope that holds the mailbox: \`New-ManagementRoleAssignment -App <app's service principal> -Role "Application Mail.Send" -CustomResourceScope <scope>\` (or add ${sender(ctx)} to that scope), then check with \`Test-ServicePrincipalAuthorization -Identity <app's service principal> -Resource ${sender(ctx)}\`. Without RBAC for Applications, grant admin consent for Mail.Send (application) in Azure.`,
  whoActs: 'azure_admin',
  scope: 'account',
  link: { label: 'RBAC for Applications in Exchange Online', href: docs.appRbac },
});

const tooLarge = (failure: GraphFailure, ctx: ErrorContext): ErrorAdvice =>
  failure.code === 'ErrorMessageSizeExceeded'
    ? {
        title: 'The message is larger than this mailbox may send.',
        explanation:
          'Exchange Online limits the size of a sent message per mailbox (35 MB by default, 150 MB at most).',
        action: `Send a smaller message, or raise the limit in Exchange Online PowerShell: \`Set-Mailbox -Identity ${sender(ctx)} -MaxSendSize 150MB\``,
        whoActs: 'azure_admin',
        scope: 'config',
        link: { label: 'Exchange Online limits', href: docs.limits },
      }
    : {
        title: 'The message is too large to send through Microsoft Graph.',
        explanation:
          'Graph takes at most 4 MB per request, and the message travels base64-encoded, so about 3 MB is the largest message sendMail carries.',
        action: 'Send a smaller message (link large files instead of attaching them), or send it over SMTP.',
        whoActs: 'console_admin',
        scope: 'config',
        link: { label: 'Send mail through Microsoft Graph', href: docs.sendMail },
      };

const throttled = (): ErrorAdvice => ({
  title: 'Microsoft Graph is throttling this mailbox; the message was not sent.',
  explanation: 'Graph refused the request and asked for a pause longer than the console waits for one message.',
  action: 'Send the message again after the pause.',
  whoActs: 'nobody',
  scope: 'transient',
});

export function explainGraphSendFailure(failure: GraphFailure, context: ErrorContext = {}): ExplainedError {
  const general = explainGraphFailure(failure, context);
  const advice =
    failure.kind === 'send_as_denied'
      ? sendAsDenied(context)
      : failure.kind === 'access_denied'
        ? sendDenied(context)
        : failure.kind === 'message_too_large'
          ? tooLarge(failure, context)
          : failure.kind === 'throttled'
            ? throttled()
            : undefined;
  return advice ? { ...general, ...advice } : general;
}
