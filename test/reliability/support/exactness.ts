/**
 * "0 lost, 0 duplicated", checked the same way by every fault scenario: the sha256 of each message as Dovecot
 * serves it, against the rows and sources stored for the account.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';

export interface Exactness {
  expected: number;
  stored: number;
  /** Server messages with no row for their UID. */
  lost: number;
  /** Extra rows for a UID beyond the first. */
  duplicated: number;
  /** Rows whose stored source differs from the server's bytes (or has no source). */
  altered: number;
}

/**
 * Compares the server's messages (uid → sha256, from `serverSources`) with what the account stored for the
 * folder's current UIDVALIDITY generation.
 */
export async function compareWithServer(
  db: Db,
  accountId: string,
  server: Map<number, string>,
  folder = 'INBOX',
): Promise<Exactness> {
  const rows = (await db.execute(sql`
    select m.uid::int as uid, coalesce(s.sha256, d.sha256) as sha256
    from messages m
    left join message_sources s on s.message_id = m.id
    left join message_sources d on d.message_id = m.duplicate_of
    where m.account_id = ${accountId} and m.folder = ${folder}
      and m.uidvalidity = (select max(uidvalidity) from mail_folder_state f where f.account_id = ${accountId} and f.folder = ${folder})
  `)) as unknown as Array<{ uid: number; sha256: string | null }>;
  const list = Array.isArray(rows)
    ? rows
    : ((rows as unknown as { rows: Array<{ uid: number; sha256: string | null }> }).rows ?? []);
  const byUid = new Map<number, Array<string | null>>();
  for (const row of list) byUid.set(row.uid, [...(byUid.get(row.uid) ?? []), row.sha256]);
  let lost = 0;
  let altered = 0;
  for (const [uid, sha] of server) {
    const stored = byUid.get(uid);
    if (!stored) lost += 1;
    else if (stored[0] !== sha) altered += 1;
  }
  let duplicated = 0;
  for (const stored of byUid.values()) duplicated += stored.length - 1;
  return { expected: server.size, stored: list.length, lost, duplicated, altered };
}
