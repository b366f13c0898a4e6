/**
 * Small, distinct messages for volume and arrival streams: a few hundred bytes each, built with string
 * concatenation only, so 100,000 of them are written in well under a minute.
 */
import type { Harness } from '@/test/harness/fixture';

export function soakMessage(to: string, stream: string, index: number): Buffer {
  const date = new Date(Date.UTC(2025, 5, 1) + index * 1000).toUTCString().replace('GMT', '+0000');
  return Buffer.from(
    `From: Soak Sender <sender${index % 13}@fabrikam.test>\r\nTo: ${to}\r\nSubject: ${stream} #${index}\r\nDate: ${date}\r\n` +
      `Message-ID: <${stream}.${index}.${to}@soak.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
      `Message ${index} of the ${stream} stream for ${to}.\r\n`,
  );
}

/** Bulk: straight into cur/ (UID order = index order); Dovecot indexes them on the next SELECT. */
export async function seedSoakMessages(
  harness: Harness,
  to: string,
  stream: string,
  count: number,
  offset = 0,
): Promise<void> {
  function* messages() {
    for (let i = offset; i < offset + count; i += 1) yield { raw: soakMessage(to, stream, i) };
  }
  await harness.maildirs.write(to, 'INBOX', messages());
}
