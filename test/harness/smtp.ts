/**
 * SMTP submission stand-in for smtp.office365.com: XOAUTH2 only, tokens checked at the emulator, Exchange's
 * answers for SMTP AUTH disabled (535 5.7.139) and missing Send As (554 5.2.252). Mail to harness users lands in
 * their maildir (new/), a copy in the sender's "Sent Items" as Exchange does; everything is also recorded.
 */
import type { AddressInfo } from 'node:net';
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from 'smtp-server';
import { LOOPBACK } from './loopback';
import { MailAuthority } from './mail-authority';
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

const EXCHANGE_MAX_MESSAGE_BYTES = 35 * 1024 * 1024;
const SENT_ITEMS = 'Sent Items';

export async function startSmtp(options: {
  emulatorUrl: string;
  maildirs: Maildirs;
  port?: number;
}): Promise<SmtpStandIn> {
  const authority = new MailAuthority(options.emulatorUrl);
  const sent: SentMessage[] = [];
  const server = new SMTPServer({
    name: 'harness.outlook.test',
    banner: 'Microsoft ESMTP MAIL Service ready',
    authMethods: ['XOAUTH2'],
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: EXCHANGE_MAX_MESSAGE_BYTES,
    logger: false,
    // A reverse lookup of 127.0.0.1 is pointless here and stalls on a machine without DNS.
    disableReverseLookup: true,
    onAuth: (auth, _session, callback) => {
      authenticate(authority, auth).then(
        (user) => callback(null, { user }),
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

async function authenticate(authority: MailAuthority, auth: SMTPServerAuthentication): Promise<string> {
  if (auth.method !== 'XOAUTH2' || !auth.accessToken) throw smtpError(504, '5.7.4 Unrecognized authentication type');
  const answer = await authority.introspectSmtp(auth.accessToken);
  const username = answer.active ? answer.username : undefined;
  // The delegate authenticates as itself even when sending for a shared mailbox: user= must be the token's owner.
  if (!username || username !== auth.username?.toLowerCase()) {
    throw smtpError(535, '5.7.3 Authentication unsuccessful [harness.outlook.test]');
  }
  if (answer.smtp_auth_disabled) {
    throw smtpError(
      535,
      '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. [harness.outlook.test]',
    );
  }
  return username;
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
  const raw = Buffer.concat(chunks);
  const authUser = String(session.user ?? '');
  const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '';
  const headerFrom = fromHeaderAddress(raw);
  for (const from of new Set([envelopeFrom, headerFrom].filter((a): a is string => Boolean(a)))) {
    if (!(await authority.maySendAs(authUser, from))) {
      throw smtpError(
        554,
        `5.2.252 SendAsDenied; ${authUser} not allowed to send as ${from}; STOREDRV.Submission.Exception:SendAsDeniedException.Mapi.ExSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message.[EndDiagnosticData]`,
      );
    }
  }
  const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
  const received = Buffer.concat([
    Buffer.from(`Received: from harness client by harness.outlook.test with ESMTPSA; ${new Date().toUTCString()}\r\n`),
    raw,
  ]);
  for (const recipient of recipients) {
    if (await authority.findUser(recipient)) await maildirs.deliver(recipient, received);
  }
  if (await authority.findUser(authUser)) await maildirs.write(authUser, SENT_ITEMS, [{ raw, flags: ['\\Seen'] }]);
  sent.push({ authUser, envelopeFrom, recipients, headerFrom, raw });
  return `2.0.0 OK <${Date.now()}@harness.outlook.test> [Hostname=harness.outlook.test]`;
}

/** The address in the first From: header (enough for Send As checks; not a full RFC 5322 parser). */
function fromHeaderAddress(raw: Buffer): string | undefined {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const head = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const line = /^from:(.*)$/im.exec(head)?.[1];
  if (!line) return undefined;
  const match = /<([^>]+)>/.exec(line) ?? /([^\s,;"]+@[^\s,;"]+)/.exec(line);
  return match?.[1]?.toLowerCase();
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
