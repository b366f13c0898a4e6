/** The IMAP ceiling: one bare `UID FETCH 1:* (BODY.PEEK[])` with imapflow, every byte discarded. */
import { ImapFlow } from 'imapflow';

export async function rawFetch(
  port: number,
  user: string,
  accessToken: string,
): Promise<{ ms: number; messages: number; bytes: number }> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, accessToken },
    logger: false,
  });
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const t0 = process.hrtime.bigint();
    let messages = 0;
    let bytes = 0;
    for await (const message of client.fetch('1:*', { uid: true, source: true }, { uid: true })) {
      messages += 1;
      bytes += message.source?.length ?? 0;
    }
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, messages, bytes };
  } finally {
    await client.logout();
  }
}
