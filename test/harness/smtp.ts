/**
 * SMTP submission stand-in for smtp.office365.com: XOAUTH2 only, tokens checked at the emulator, and Exchange
 * Online's answers: 535 5.7.3 for a token that is not the user's, 535 5.7.139 with SMTP AUTH off for the mailbox
 * or the tenant, Send As refusals, and the mailbox's send size limit. Mail to a harness mailbox (primary or proxy
 * address) lands in its maildir (new/), a copy in the sender's "Sent Items" as Exchange does; all is recorded.
 */
import type { AddressInfo } from 'node:net';
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from 'smtp-server';
import { LOOPBACK } from './loopback';
import { MailAuthority, type SmtpIntrospection } from './mail-authority';
import type { Maildirs } from './maildir';

export interface SentMessage {
  authUser: string;
  envelopeFrom: string;
  recipients: string[];
  headerFrom: string | undefined;
  raw: Buffer;
}

export interface SmtpStandIn {
  port: number;
  sent: SentMessage[];
  close(): Promise<void>;
}

/** What smtp.office365.com announces in EHLO: `SIZE 157286400` (MailKit#1770's transcript). */
const EXCHANGE_SIZE_ANNOUNCED = 157_286_400;
const HOST = 'harness.outlook.test';
const SENT_ITEMS = 'Sent Items';

interface SessionUser {
  mailbox: string;
  upn: string;
  personal: boolean;
  maxSendBytes: number;
  sendFromAlias: boolean;
}

export async function startSmtp(options: {
  emulatorUrl: string;
  maildirs: Maildirs;
  port?: number;
}): Promise<SmtpStandIn> {
  const authority = new MailAuthority(options.emulatorUrl);
  const sent: SentMessage[] = [];
  const server = new SMTPServer({
    name: HOST,
    banner: 'Microsoft ESMTP MAIL Service ready',
    authMethods: ['XOAUTH2'],
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: EXCHANGE_SIZE_ANNOUNCED,
    logger: false,
    // A reverse lookup of 127.0.0.1 is pointless here and stalls on a machine without DNS.
    disableReverseLookup: true,
    onAuth: (auth, _session, callback) => {
      authenticate(authority, auth).then(
        (user) => callback(null, { user: user as unknown as string }),
        (error: Error) => callback(error),
      );
    },
    onData: (stream, session, callback) => {
      accept(authority, options.maildirs, stream, session, sent).then(
        (id) => callback(null, id),
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    sent,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function authenticate(authority: MailAuthority, auth: SMTPServerAuthentication): Promise<SessionUser> {
  if (auth.method !== 'XOAUTH2' || !auth.accessToken) throw smtpError(504, '5.7.4 Unrecognized authentication type');
  const answer: SmtpIntrospection = await authority.introspectSmtp(auth.accessToken, auth.username ?? '');
  // user= must be the token owner's UPN, also for a shared mailbox (the delegate authenticates as itself).
  // Microsoft documents the UPN; a primary address that differs from it fails in practice (glpi#18796), and
  // the documentation is silent on anything else: refused. An app-only token names the mailbox it sends from as
  // user=; without SMTP.SendAsApp, the service principal or its mailbox permission Exchange answers 5.7.3 as well
  // (the client-credentials section of how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth; the answer
  // for a missing mailbox permission is undocumented, 535 5.7.3 is what administrators report for it).
  if (!answer.active || !answer.username || !answer.upn || answer.upn !== auth.username?.toLowerCase()) {
    throw smtpError(535, `5.7.3 Authentication unsuccessful [${HOST}]`);
  }
  if (answer.smtp_auth_disabled) {
    // Microsoft's text names the switch: "...is disabled for the Tenant." or "...for the Mailbox."
    // (email-oauth2-proxy#193, nodemailer#1484).
    throw smtpError(
      535,
      `5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the ${answer.smtp_auth_disabled}. Visit https://aka.ms/smtp_auth_disabled for more information. [${HOST}]`,
    );
  }
  return {
    mailbox: answer.username,
    upn: answer.upn,
    personal: answer.personal ?? false,
    maxSendBytes: answer.max_send_bytes ?? EXCHANGE_SIZE_ANNOUNCED,
    sendFromAlias: answer.send_from_alias ?? false,
  };
}

async function accept(
  authority: MailAuthority,
  maildirs: Maildirs,
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  sent: SentMessage[],
): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  let raw: Buffer = Buffer.concat(chunks);
  const user = session.user as unknown as SessionUser;
  if (raw.length > user.maxSendBytes) throw sizeRefusal();
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '';
  const headerFrom = fromHeaderAddress(raw);
  for (const from of new Set([envelopeFrom, headerFrom].filter((a): a is string => Boolean(a)))) {
    if (!(await authority.maySendAs(user.mailbox, from))) throw sendAsRefusal(user, from);
  }
  // With SendFromAliasEnabled off (Microsoft's default) an alias in From is rewritten to the primary address.
  if (headerFrom && headerFrom !== user.mailbox && !user.sendFromAlias) {
    const owner = await authority.recipient(headerFrom);
    if (owner === user.mailbox) raw = rewriteFrom(raw, headerFrom, user.mailbox);
  }
  const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
  const received = Buffer.concat([
    Buffer.from(`Received: from harness client by ${HOST} with ESMTPSA; ${new Date().toUTCString()}\r\n`),
    raw,
  ]);
  for (const recipient of recipients) {
    const mailbox = await authority.recipient(recipient);
    if (mailbox) await maildirs.deliver(mailbox, received);
  }
  await maildirs.write(user.mailbox, SENT_ITEMS, [{ raw, flags: ['\\Seen'] }]);
  sent.push({ authUser: user.mailbox, envelopeFrom, recipients, headerFrom: fromHeaderAddress(raw), raw });
  return `2.0.0 OK <${Date.now()}@${HOST}> [Hostname=${HOST}]`;
}

/**
 * Exchange checks From at the end of DATA. Work tenants answer 5.7.60 (swiftmailer#1030, #1258: "550 5.7.60
 * SMTP; Client does not have permissions to send as this sender"); Outlook.com answers 5.2.252 SendAsDenied
 * (gophish#2900). Microsoft does not document which front end sends which; this split is what the threads show.
 */
function sendAsRefusal(user: SessionUser, from: string): Error {
  if (!user.personal)
    return smtpError(550, `5.7.60 SMTP; Client does not have permissions to send as this sender [${HOST}]`);
  return smtpError(
    554,
    `5.2.252 SendAsDenied; ${user.upn} not allowed to send as ${from}; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.[EndDiagnosticData]`,
  );
}

/**
 * Over the mailbox's MaxSendSize (35 MB by default) the store refuses the submission (pm2-health#52 quotes
 * Microsoft's text; its status line is not shown there, so the permanent 554 5.2.0 of other store refusals).
 */
function sizeRefusal(): Error {
  return smtpError(
    554,
    '5.2.0 STOREDRV.Submission.Exception:MessageSubmissionExceededException.MapiExceptionMaxSubmissionExceeded; Message size exceeds maximum size limit.; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot save changes made to an item to store.[EndDiagnosticData]',
  );
}

/** The address in the first From: header (enough for Send As checks; not a full RFC 5322 parser). */
function fromHeaderAddress(raw: Buffer): string | undefined {
  const line = /^from:(.*)$/im.exec(headerBlock(raw))?.[1];
  if (!line) return undefined;
  const match = /<([^>]+)>/.exec(line) ?? /([^\s,;"]+@[^\s,;"]+)/.exec(line);
  return match?.[1]?.toLowerCase();
}

function headerBlock(raw: Buffer): string {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

function rewriteFrom(raw: Buffer, alias: string, primary: string): Buffer {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const pattern = new RegExp(`^(from:[^\\r\\n]*)${alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'im');
  return Buffer.from(head.replace(pattern, `$1${primary}`) + text.slice(head.length), 'utf8');
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
