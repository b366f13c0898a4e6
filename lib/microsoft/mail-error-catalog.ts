import type { ErrorAdvice, ErrorContext } from '@/lib/microsoft/errors';

/**
 * Exchange Online IMAP / SMTP and transport failures, as advice an admin can act on. Data only: `errors.ts`
 * decides which entry a failure is. Entries take the context so PowerShell lines name the real mailbox.
 */
export type MailCatalogEntry = (context: ErrorContext) => ErrorAdvice;

const docs = {
  imapAccess:
    'https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/pop3-and-imap4/enable-or-disable-pop3-or-imap4-access',
  oauthImap:
    'https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth',
  smtpAuth:
    'https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/authenticated-client-smtp-submission',
  permissions:
    'https://learn.microsoft.com/en-us/exchange/recipients-in-exchange-online/manage-permissions-for-recipients',
};

const mailbox = (ctx: ErrorContext) => ctx.mailbox ?? '<mailbox>';
const imapUser = (ctx: ErrorContext) => ctx.imapUser ?? ctx.mailbox ?? '<mailbox>';

export const MAIL_CATALOG = {
  'imap.authenticate_failed': (ctx) => ({
    title: 'Exchange refused the IMAP sign-in for this mailbox.',
    explanation:
      'The token is valid, but Exchange will not open the mailbox over IMAP. Usual causes: IMAP is disabled for the mailbox, the app lacks the IMAP.AccessAsUser.All permission, or the mailbox has no Exchange Online licence.',
    action: `Make sure Azure → API permissions lists IMAP.AccessAsUser.All (Office 365 Exchange Online, delegated) with consent granted, and that the mailbox is licensed. Check in Exchange Online PowerShell whether IMAP is on for the mailbox: \`Get-CASMailbox -Identity ${imapUser(ctx)} | fl ImapEnabled\` If it says False, turn it on: \`Set-CASMailbox -Identity ${imapUser(ctx)} -ImapEnabled $true\` Then click Verify.`,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Enable IMAP for a mailbox', href: docs.imapAccess },
  }),
  'imap.not_connected': (ctx) => ({
    title: 'Signed in, but Exchange cannot open the mailbox named as IMAP user.',
    explanation:
      ctx.imapUser && ctx.mailbox && ctx.imapUser !== ctx.mailbox
        ? `${ctx.mailbox} signed in and asked for the shared mailbox ${ctx.imapUser}, which it may not open.`
        : 'This happens when the IMAP user is a shared mailbox the signed-in user has no Full Access to, or the address is not the mailbox’s primary address.',
    action: `Correct the IMAP user to the mailbox’s primary SMTP address, or grant access in Exchange Online PowerShell (permission changes can take up to an hour to apply): \`Add-MailboxPermission -Identity ${imapUser(ctx)} -User ${mailbox(ctx)} -AccessRights FullAccess -InheritanceType All\``,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Mailbox permissions', href: docs.permissions },
  }),
  'imap.session_expired': () => ({
    title: 'Exchange closed the session because its token expired.',
    explanation: 'Access tokens live about an hour; a long sync outlived one.',
    action: 'Nothing to do: the next run signs in with a fresh token and continues from where it stopped.',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  'imap.bye': () => ({
    title: 'The mail server closed the connection.',
    explanation: 'Exchange ends sessions during maintenance, load balancing or when too many connections are open.',
    action:
      'Nothing to do: the sync retries with increasing pauses. If it persists, check other tools using IMAP on this mailbox (Exchange allows about 20 connections).',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  'imap.folder_missing': () => ({
    title: 'The folder this account syncs no longer exists.',
    explanation: 'It was renamed or deleted in the mailbox.',
    action: 'Open the account settings and choose an existing folder (INBOX always exists).',
    whoActs: 'console_admin',
    scope: 'config',
  }),
  throttled: () => ({
    title: 'Microsoft is throttling this mailbox for a while.',
    explanation: 'Exchange limits how much work one mailbox may ask for; the sync asked for too much too quickly.',
    action: 'Nothing to do: the sync waits at least as long as Microsoft asked and then continues.',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  network: () => ({
    title: 'Microsoft’s servers could not be reached.',
    explanation: 'The connection failed, timed out or was cut: a network problem or an outage, not a settings problem.',
    action:
      'Nothing to do: the sync retries with increasing pauses. If it never recovers, check that the server can reach the sign-in host over HTTPS and the mail hosts on ports 993 and 587, and the host settings.',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  tls: () => ({
    title: 'The secure connection to the mail server could not be verified.',
    explanation:
      'The certificate the server presented is not trusted. A proxy inspecting TLS traffic is the usual cause.',
    action:
      'Let the server reach Microsoft directly, or add the proxy’s CA certificate to the trusted CAs of the console (NODE_EXTRA_CA_CERTS).',
    whoActs: 'console_admin',
    scope: 'config',
  }),
  'smtp.535_5_7_139': (ctx) => ({
    title: 'SMTP sending (SMTP AUTH) is turned off for this mailbox or organisation.',
    explanation: 'New Microsoft 365 organisations have authenticated SMTP disabled; mail can be read but not sent.',
    action: `Security defaults also block it, and changes take up to an hour to apply. Turn it on in Exchange Online PowerShell for this mailbox: \`Set-CASMailbox -Identity ${mailbox(ctx)} -SmtpClientAuthenticationDisabled $false\` Or for the whole organisation: \`Set-TransportConfig -SmtpClientAuthenticationDisabled $false\``,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Enable SMTP AUTH', href: docs.smtpAuth },
  }),
  'smtp.535_5_7_3': (ctx) => ({
    title: 'Exchange refused the SMTP sign-in for this mailbox.',
    explanation:
      'The token does not allow sending for this user: the SMTP.Send permission is missing, or the SMTP user differs from the account that signed in.',
    action: `Make sure Azure → API permissions lists SMTP.Send (Office 365 Exchange Online, delegated) with consent granted, then re-authenticate ${mailbox(ctx)}. For a shared mailbox, SMTP signs in as the delegate.`,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'OAuth for IMAP and SMTP', href: docs.oauthImap },
  }),
  'smtp.554_5_2_252': (ctx) => ({
    title: 'The signed-in user may not send as this From address.',
    explanation: 'Exchange only accepts a From address the signed-in user owns or holds Send As permission on.',
    action: `Grant Send As in Exchange Online PowerShell (permission changes can take up to an hour to apply): \`Add-RecipientPermission -Identity <from address> -Trustee ${mailbox(ctx)} -AccessRights SendAs\``,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Mailbox permissions', href: docs.permissions },
  }),
  'smtp.sender_blocked': (ctx) => ({
    title: 'Microsoft has blocked this mailbox from sending.',
    explanation: 'Exchange Online restricts senders it suspects of sending spam, for example after a compromise.',
    action: `In Microsoft Defender: Email & collaboration → Review → Restricted entities → release ${mailbox(ctx)} once the cause is understood.`,
    whoActs: 'azure_admin',
    scope: 'account',
  }),
  'smtp.quota': () => ({
    title: 'This mailbox has hit Microsoft’s sending limits.',
    explanation: 'Exchange limits messages and recipients per day and concurrent submissions per mailbox.',
    action: 'Nothing to do now: sending works again once the limit resets (up to 24 hours).',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  'smtp.temporary': () => ({
    title: 'The mail server could not take the message right now.',
    explanation: 'It answered with a temporary failure (4xx), for example during maintenance or under load.',
    action: 'Nothing to do: sending can be retried in a few minutes.',
    whoActs: 'nobody',
    scope: 'transient',
  }),
  'smtp.auth_failed': (ctx) => ({
    title: 'The SMTP server refused the sign-in for this mailbox.',
    explanation: 'The token was not accepted for sending.',
    action: `Re-authenticate ${mailbox(ctx)}; if it persists, check SMTP.Send under API permissions in Azure and that SMTP AUTH is enabled for the mailbox.`,
    whoActs: 'console_admin',
    scope: 'account',
    link: { label: 'Enable SMTP AUTH', href: docs.smtpAuth },
  }),
  'imap.unknown': () => unknown('reading mail (IMAP)'),
  'smtp.unknown': () => unknown('sending mail (SMTP)'),
} satisfies Record<string, MailCatalogEntry>;

export type MailErrorCode = keyof typeof MAIL_CATALOG;

function unknown(what: string): ErrorAdvice {
  return {
    title: `An unexpected error occurred while ${what}.`,
    explanation: 'This console does not recognise the error; the server’s own message is in the details.',
    action:
      'The sync retries with increasing pauses. If it keeps failing, search the details text on learn.microsoft.com or report it with the details.',
    whoActs: 'console_admin',
    scope: 'transient',
  };
}
