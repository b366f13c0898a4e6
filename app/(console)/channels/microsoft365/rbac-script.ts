/**
 * The Exchange Online PowerShell that limits the app to a management scope, following
 * https://learn.microsoft.com/en-us/exchange/permissions-exo/application-rbac ("Configuration Instructions": scope,
 * service principal pointer, role assignment, test). The scope filters on CustomAttribute1, one of the filterable
 * recipient properties, so adding a mailbox is one Set-Mailbox.
 */
export function rbacScript(clientId: string): string {
  const app = clientId || '<Application (client) ID>';
  return [
    '# Exchange Online PowerShell (Connect-ExchangeOnline) as an Exchange administrator.',
    '# 1. Mark each mailbox the console may open, and scope on that mark.',
    'Set-Mailbox -Identity support@contoso.com -CustomAttribute1 "Mailgate365"',
    `New-ManagementScope -Name "Mailgate 365 mailboxes" -RecipientRestrictionFilter "CustomAttribute1 -eq 'Mailgate365'"`,
    '# 2. Point Exchange at the app (Object ID: Entra → Enterprise applications → the app → Overview).',
    `New-ServicePrincipal -AppId ${app} -ObjectId <Enterprise application Object ID> -DisplayName "Mailgate 365"`,
    '# 3. Read, move and send, only within the scope.',
    `New-ManagementRoleAssignment -App ${app} -Role "Application Mail.ReadWrite" -CustomResourceScope "Mailgate 365 mailboxes"`,
    `New-ManagementRoleAssignment -App ${app} -Role "Application Mail.Send" -CustomResourceScope "Mailgate 365 mailboxes"`,
    '# 4. Check a mailbox: InScope should be True.',
    `Test-ServicePrincipalAuthorization -Identity ${app} -Resource support@contoso.com`,
  ].join('\n');
}

/**
 * The Exchange Online PowerShell that lets the app open mailboxes over IMAP and SMTP with its own token, following
 * "Use client credentials grant flow to authenticate SMTP, IMAP and POP connections"
 * (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections):
 * the service principal once (the Enterprise application's Object ID, not the App registration's), then a FullAccess
 * mailbox permission per mailbox. Sending From the mailbox itself needs nothing more; Send As
 * (Add-RecipientPermission) is only for another sender address, which the console never uses.
 */
export function servicePrincipalScript(clientId: string): string {
  const app = clientId || '<Application (client) ID>';
  return [
    '# Exchange Online PowerShell (Connect-ExchangeOnline) as an Exchange administrator.',
    '# 1. Once: register the app in Exchange (Object ID: Entra → Enterprise applications → the app → Overview).',
    `New-ServicePrincipal -AppId ${app} -ObjectId <Enterprise application Object ID> -DisplayName "Mailgate 365"`,
    '# 2. For each mailbox the console may open (IMAP and SMTP):',
    'Add-MailboxPermission -Identity support@contoso.com -User <Enterprise application Object ID> -AccessRights FullAccess',
  ].join('\n');
}
