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
  limits:
    'https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits',
  outlookImap:
    'https://support.microsoft.com/en-us/office/pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353',
};

const mailbox = (ctx: ErrorContext) => ctx.mailbox ?? '<mailbox>';
const imapUser = (ctx: ErrorContext) => ctx.imapUser ?? ctx.mailbox ?? '<mailbox>';
const from = (ctx: ErrorContext) => ctx.fromAddress ?? ctx.imapUser ?? '<from address>';

/** Either SMTP AUTH switch has the same one fix: enable it for this mailbox (which overrides the organisation). */
function smtpAuthOff(title: string, explanation: string): MailCatalogEntry {
  return (ctx) =>
    ctx.personal
      ? personalSmtpRefused(ctx)
      : {
          title,
          explanation,
          action: `In Exchange Online PowerShell: \`Set-CASMailbox -Identity ${mailbox(ctx)} -SmtpClientAuthenticationDisabled $false\``,
          whoActs: 'azure_admin',
          scope: 'config',
          link: { label: 'Enable SMTP AUTH', href: docs.smtpAuth },
        };
}

// Microsoft documents SMTP AUTH switches only for Exchange Online organisations (authenticated-client-smtp-submission);
// for Outlook.com it documents none, so the advice promises no fix it cannot name.
function personalSmtpRefused(ctx: ErrorContext): ErrorAdvice {
  return {
    title: `Outlook.com refused sending over SMTP for ${mailbox(ctx)}.`,
    explanation:
      'Microsoft documents no setting that turns SMTP sending on or off for a personal account; receiving mail over IMAP is not affected.',
    action:
      'Nothing an administrator can change here. Receiving keeps working; Microsoft’s own answer is in the details.',
    whoActs: 'nobody',
    scope: 'config',
    link: { label: 'IMAP and SMTP settings for Outlook.com', href: docs.outlookImap },
  };
}

const isShared = (ctx: ErrorContext) => Boolean(ctx.imapUser && ctx.mailbox && ctx.imapUser !== ctx.mailbox);

/**
 * Outlook.com turns IMAP off for every account until its owner turns it on, under Settings → Mail → Forwarding and
 * IMAP ("POP & IMAP access is disabled by default", support.microsoft.com: "POP, IMAP, and SMTP settings for
 * Outlook.com", 8361e398-8af4-4e97-b147-6c6c4ac95353). The owner flips it: there is no admin or PowerShell for it.
 */
function outlookImapOff(ctx: ErrorContext): ErrorAdvice {
  return {
    title: `Outlook.com did not let ${mailbox(ctx)} be read over IMAP.`,
    explanation:
      'Outlook.com keeps IMAP off for every personal account until its owner turns it on, and then answers an IMAP sign-in as if it had failed.',
    action: `The owner of ${mailbox(ctx)} signs in at outlook.com and opens Settings → Mail → Forwarding and IMAP, turns on “Let devices and apps use IMAP” under POP and IMAP, and clicks Save. Then click Sync now (or Try again, while connecting). If it was on already, click Re-authenticate: the sign-in may have been revoked.`,
    whoActs: 'mailbox_owner',
    scope: 'config',
    link: { label: 'IMAP settings for Outlook.com', href: docs.outlookImap },
  };
}

/** A work or school mailbox: each likely cause with the check that tells it from the others. */
/**
 * The app's own token refused over IMAP (`NO AUTHENTICATE failed.`) or SMTP (535 5.7.3): Exchange does not say
 * why. What it needs is Exchange Online's application permission with admin consent, the app's service principal
 * registered in Exchange, and a FullAccess mailbox permission for it on this mailbox
 * (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth#use-client-credentials-grant-flow-to-authenticate-smtp-imap-and-pop-connections;
 * jstedfast/MailKit#1811 shows the bare "Authentication failed." a client gets when one of them is missing).
 */
function applicationRefused(ctx: ErrorContext, protocol: 'IMAP' | 'SMTP'): ErrorAdvice {
  const permission = protocol === 'IMAP' ? 'IMAP.AccessAsApp' : 'SMTP.SendAsApp';
  return {
    title: `Exchange refused the app’s ${protocol} sign-in to ${mailbox(ctx)}.`,
    explanation: `Exchange Online lets the app open a mailbox over ${protocol} only with the application permission ${permission} (admin consent granted), the app registered in Exchange as a service principal, and a mailbox permission for it on this mailbox. It does not say which one is missing.`,
    action: `Most often the mailbox permission is missing. In Exchange Online PowerShell: \`${mailboxPermissionCommand(mailbox(ctx))}\` (it can take up to an hour to apply). If that is in place, check in Azure → API permissions that ${permission} (Office 365 Exchange Online, application) shows admin consent granted, and that New-ServicePrincipal was run once for the app. Then try again.`,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'OAuth for IMAP and SMTP with application access', href: docs.oauthImap },
  };
}

/** The PowerShell that lets the app's Exchange service principal open one mailbox. */
export function mailboxPermissionCommand(address: string): string {
  return `Add-MailboxPermission -Identity ${address} -User <Enterprise application Object ID> -AccessRights FullAccess`;
}

function imapSignInRefused(ctx: ErrorContext): ErrorAdvice {
  const user = imapUser(ctx);
  const shared = isShared(ctx)
    ? ` 4. ${user} is a shared mailbox: ${mailbox(ctx)} needs Full Access on it: \`Get-MailboxPermission -Identity ${user} -User ${mailbox(ctx)}\` If that lists nothing, grant it: \`Add-MailboxPermission -Identity ${user} -User ${mailbox(ctx)} -AccessRights FullAccess -InheritanceType All\``
    : '';
  return {
    title: 'Exchange refused the IMAP sign-in for this mailbox.',
    explanation:
      'Exchange Online gives the same answer (“AUTHENTICATE failed”) when IMAP is turned off for the mailbox, when the user has no Exchange Online licence, when it does not accept the token, and when the token’s user may not open the mailbox named. It does not say which.',
    action: `Check in this order. To tell the first from the rest, click Send test message: if SMTP accepts the sign-in (the message goes out, or is refused only because SMTP AUTH is off), the token and the licence are fine. 1. IMAP is turned off for the mailbox (many organisations turn it off for new mailboxes). Check in Exchange Online PowerShell: \`Get-CASMailbox -Identity ${user} | Format-List ImapEnabled\` If it says False, turn it on: \`Set-CASMailbox -Identity ${user} -ImapEnabled $true\` 2. The user has no Exchange Online licence, so no mailbox: in the Microsoft 365 admin center, Users → Active users → the user → Licenses and apps must show a licence that includes Exchange Online. 3. The token is not accepted: click Re-authenticate. If it fails again, check that Azure → API permissions lists IMAP.AccessAsUser.All (Office 365 Exchange Online, delegated) with consent granted.${shared} Then click Sync now (or Try again, while connecting).`,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Enable IMAP for a mailbox', href: docs.imapAccess },
  };
}

export const MAIL_CATALOG = {
  // Exchange Online answers `NO AUTHENTICATE failed.` alike for a token it does not take, IMAP off for the mailbox,
  // no Exchange Online licence and a `user=` the token may not open, and never says which
  // (MicrosoftDocs/office-developer-exchange-docs#87; simonrob/email-oauth2-proxy#77; kontron/redmine_oauth#3).
  // Microsoft publishes no ranking of the causes: the order below is the order they turn up in those threads for
  // a mailbox that signed in before, and each comes with the check that rules it in or out.
  'imap.authenticate_failed': (ctx) =>
    ctx.application ? applicationRefused(ctx, 'IMAP') : ctx.personal ? outlookImapOff(ctx) : imapSignInRefused(ctx),
  // `BAD User is authenticated but not connected.`: the token was taken, then the mailbox named as `user=` could
  // not be opened with it. For a shared mailbox that is a delegate without Full Access (learn:
  // how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth, shared mailboxes; simonrob/email-oauth2-proxy#275).
  'imap.not_connected': (ctx) =>
    isShared(ctx)
      ? {
          title: `${ctx.mailbox} may not open the shared mailbox ${ctx.imapUser}.`,
          explanation: `Exchange accepted ${ctx.mailbox}’s sign-in, then refused to open ${ctx.imapUser}: a delegate needs Full Access on the shared mailbox to read it over IMAP.`,
          action: `Grant it in Exchange Online PowerShell (it can take up to an hour to apply): \`Add-MailboxPermission -Identity ${ctx.imapUser} -User ${ctx.mailbox} -AccessRights FullAccess -InheritanceType All\` Then click Sync now (or Try again, while connecting). If ${ctx.imapUser} is not the shared mailbox’s address, remove this mailbox and add it again with Add shared mailbox.`,
          whoActs: 'azure_admin',
          scope: 'config',
          link: { label: 'Mailbox permissions', href: docs.permissions },
        }
      : ctx.personal
        ? outlookImapOff(ctx)
        : {
            title: `Exchange accepted the sign-in but has no mailbox to open for ${imapUser(ctx)}.`,
            explanation:
              'The account exists in the organisation, but Exchange Online holds no mailbox for it: it has no Exchange Online licence, or its mailbox is still being created.',
            action: `In the Microsoft 365 admin center: Users → Active users → ${imapUser(ctx)} → Licenses and apps: turn on a licence that includes Exchange Online. A new mailbox can take a while to appear; then click Sync now (or Try again, while connecting).`,
            whoActs: 'azure_admin',
            scope: 'config',
            link: { label: 'OAuth for IMAP and SMTP', href: docs.oauthImap },
          },
  // The sync signs in again by itself when Exchange ends a session with AccessTokenExpired (lib/sync/mail-session):
  // this is only recorded when the new sessions were ended too before anything was stored.
  'imap.session_expired': () => ({
    title: 'Exchange kept ending the session because its token expired.',
    explanation:
      'Access tokens live 60 to 90 minutes. The sync signed in again with a fresh token, and Exchange ended the new sessions too before anything was stored.',
    action:
      'Nothing to do at first: the sync retries with increasing pauses and continues from where it stopped. If it keeps happening, click Re-authenticate.',
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
  // 535 5.7.139 "...SmtpClientAuthentication is disabled for the Mailbox." The mailbox's own switch.
  'smtp.535_5_7_139': smtpAuthOff(
    'SMTP sending (SMTP AUTH) is turned off for this mailbox.',
    'Exchange Online accepts the sign-in only when authenticated SMTP is enabled for the mailbox.',
  ),
  // 535 5.7.139 "...disabled for the Tenant." The organisation's switch; a mailbox's own setting overrides it.
  'smtp.535_5_7_139_tenant': smtpAuthOff(
    'SMTP sending (SMTP AUTH) is turned off for the whole organisation.',
    'New Microsoft 365 organisations have authenticated SMTP disabled. Enabling it for this one mailbox overrides the organisation’s setting and leaves every other mailbox as it is.',
  ),
  // 535 5.7.3 "Authentication unsuccessful": Exchange did not take the token for SMTP. The console always sends
  // the token owner's sign-in name as user=, so a token without SMTP.Send is what remains.
  'smtp.535_5_7_3': (ctx) =>
    ctx.application
      ? applicationRefused(ctx, 'SMTP')
      : {
          title: 'Exchange refused the SMTP sign-in: the token does not allow sending.',
          explanation:
            'The app’s sign-in lacks the SMTP.Send permission (or its consent), so Exchange will not accept the token for sending mail.',
          action: `In Azure: App registrations → your app → API permissions → add SMTP.Send (Office 365 Exchange Online, delegated) and grant admin consent. Then re-authenticate ${mailbox(ctx)}.`,
          whoActs: 'azure_admin',
          scope: 'config',
          link: { label: 'OAuth for IMAP and SMTP', href: docs.oauthImap },
        },
  // 550 5.7.60 (work tenants) and 554 5.2.252 SendAsDenied (Outlook.com): From is not the signed-in user's.
  'smtp.send_as_denied': (ctx) =>
    ctx.imapUser && ctx.mailbox && ctx.imapUser !== ctx.mailbox
      ? {
          title: `${ctx.mailbox} may not send as ${from(ctx)}.`,
          explanation:
            'Exchange accepts a From address only if it belongs to the signed-in user or the user holds Send As permission on it. The delegate reads the shared mailbox but has no Send As.',
          action: `In Exchange Online PowerShell: \`Add-RecipientPermission -Identity ${from(ctx)} -Trustee ${ctx.mailbox} -AccessRights SendAs\``,
          whoActs: 'azure_admin',
          scope: 'config',
          link: { label: 'Mailbox permissions', href: docs.permissions },
        }
      : {
          title: `${from(ctx)} is not an address of the mailbox ${mailbox(ctx)} signs in to.`,
          explanation:
            'Exchange accepts a From address only if it is the mailbox’s own address. The sign-in name (UPN) is often not one of them.',
          action: ctx.personal
            ? `Correct the mailbox address on the mailbox page to ${mailbox(ctx)}’s own Outlook.com address (or one of its aliases), then click Verify mail flow.`
            : `Correct the mailbox address on the mailbox page to the mailbox’s primary SMTP address, then click Verify mail flow. To look it up in Exchange Online PowerShell: \`Get-Mailbox -Identity ${mailbox(ctx)} | Select-Object PrimarySmtpAddress\``,
          whoActs: 'console_admin',
          scope: 'config',
          link: { label: 'Mailbox permissions', href: docs.permissions },
        },
  // The mailbox's MaxSendSize (35 MB by default) or the organisation's limit; Exchange refuses the whole message.
  'smtp.message_too_large': (ctx) => ({
    title: 'The message is larger than this mailbox may send.',
    explanation:
      'Exchange Online limits the size of a sent message per mailbox (35 MB by default, 150 MB at most), attachments and encoding included.',
    action: ctx.personal
      ? 'Send a smaller message: an administrator cannot raise the limit of a personal account.'
      : `Send a smaller message, or raise the limit in Exchange Online PowerShell: \`Set-Mailbox -Identity ${mailbox(ctx)} -MaxSendSize 150MB\``,
    whoActs: 'azure_admin',
    scope: 'config',
    link: { label: 'Exchange Online limits', href: docs.limits },
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
