/**
 * IMAP and SMTP clients the harness tests use against the stand-in: a token of one user, a login name that may
 * differ from it (a UPN, an alias, a shared mailbox).
 */
import { ImapFlow } from 'imapflow';
import { createTransport } from 'nodemailer';
import type { Harness } from './fixture';

export async function subjectsIn(harness: Harness, tokenOwner: string, login = tokenOwner, folder = 'INBOX') {
  const { access_token: accessToken } = await harness.control.issueTokens({ address: tokenOwner });
  const imap = new ImapFlow({
    host: '127.0.0.1',
    port: harness.imapPort,
    secure: false,
    auth: { user: login, accessToken },
    logger: false,
  });
  await imap.connect();
  try {
    const lock = await imap.getMailboxLock(folder);
    try {
      const subjects: string[] = [];
      for await (const message of imap.fetch('1:*', { envelope: true })) subjects.push(message.envelope?.subject ?? '');
      return subjects;
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout();
  }
}

export async function sendWithToken(
  harness: Harness,
  tokenOwner: string,
  login: string,
  message: { from: string; to: string; subject: string; text?: string },
): Promise<unknown> {
  const { access_token: accessToken } = await harness.control.issueTokens({ address: tokenOwner });
  const transport = createTransport({
    host: '127.0.0.1',
    port: harness.smtpPort,
    secure: false,
    ignoreTLS: true,
    auth: { type: 'OAuth2', user: login, accessToken },
  });
  try {
    return await transport.sendMail({ text: 'Hello from the harness', ...message });
  } finally {
    transport.close();
  }
}
