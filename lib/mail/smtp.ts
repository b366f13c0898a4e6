import 'server-only';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { SmtpSecurity } from '@/lib/microsoft/clouds';

export interface SmtpEndpoint {
  host: string;
  port: number;
  /** 'starttls' for Microsoft (587); 'none' only for the loopback test harness. */
  security: SmtpSecurity;
}

export interface SmtpLogin extends SmtpEndpoint {
  /** Who authenticates: the signed-in mailbox (for a shared mailbox, the delegate). */
  user: string;
  accessToken: string;
}

/** A one-shot SMTP transport authenticating with XOAUTH2 and a fresh access token. */
export function createSmtpTransport(login: SmtpLogin): Transporter<SMTPTransport.SentMessageInfo> {
  return nodemailer.createTransport({
    host: login.host,
    port: login.port,
    secure: login.security === 'implicit',
    requireTLS: login.security === 'starttls',
    ignoreTLS: login.security === 'none',
    tls: login.security === 'none' ? undefined : { servername: login.host, minVersion: 'TLSv1.2' },
    auth: { type: 'OAuth2', user: login.user, accessToken: login.accessToken },
    connectionTimeout: 20_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
}

/** Proves the mailbox may send: connects and authenticates, sends nothing. */
export async function verifySmtpLogin(login: SmtpLogin): Promise<void> {
  const transport = createSmtpTransport(login);
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}
