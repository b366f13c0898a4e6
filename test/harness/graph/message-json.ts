/**
 * The message resource fields a sync client reads (https://learn.microsoft.com/en-us/graph/api/resources/message):
 * id, internetMessageId, subject, from, receivedDateTime, isRead, parentFolderId. Header values are taken from
 * the raw MIME (unfolded, not RFC 2047-decoded: a stand-in simplification listed in README.md).
 */
import { stat } from 'node:fs/promises';
import type { MailStore, StoredMessage } from './mail-store';

export async function messageJson(store: MailStore, message: StoredMessage): Promise<Record<string, unknown>> {
  const raw = await store.read(message);
  const headers = parseHeaders(raw);
  const from = headers.get('from') ?? '';
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  const received = (await stat(message.path)).mtime;
  return {
    '@odata.type': '#microsoft.graph.message',
    id: message.id,
    internetMessageId: headers.get('message-id')?.trim() ?? null,
    subject: headers.get('subject')?.trim() ?? null,
    from: address
      ? {
          emailAddress: {
            address,
            name: from
              .replace(/<[^>]+>/, '')
              .replace(/"/g, '')
              .trim(),
          },
        }
      : null,
    receivedDateTime: received.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    isRead: message.seen,
    parentFolderId: store.folderId(message.folder),
  };
}

function parseHeaders(raw: Buffer): Map<string, string> {
  const text = raw.subarray(0, Math.min(raw.length, 64 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1));
  }
  return headers;
}
