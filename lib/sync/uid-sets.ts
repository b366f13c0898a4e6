import { uidSet } from '@/lib/sync/fetch-plan';

/**
 * Longest UID set one command carries. IMAP itself sets no limit, but servers do: RFC 2683 (3.2.1.5) asks clients
 * to keep command lines to about 1000 octets and servers to accept at least 8000, RFC 7162 (section 4) raises the
 * client's figure to 8192. Exchange Online publishes none and refuses an over-long line with "BAD Command Error.
 * 10" (nextcloud/mail#6038: a 40,407-character UID SEARCH; MailKit#834; Mailspring-Sync#5). Without a documented
 * figure the stricter bound wins: the set stays under 1000 octets with room for the tag, command and flags.
 */
export const MAX_UID_SET_CHARS = 900;

/**
 * Ascending UIDs as compact sets (`1:5,7,9:12`), cut into pieces of at most `maxChars` characters each, in order.
 * Every piece is a whole number of ranges, so together they name exactly the given UIDs.
 */
export function boundedUidSets(uids: number[], maxChars = MAX_UID_SET_CHARS): string[] {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const ranges = uidSet(sorted).split(',').filter(Boolean);
  const sets: string[] = [];
  let current = '';
  for (const range of ranges) {
    if (current && current.length + 1 + range.length > maxChars) {
      sets.push(current);
      current = '';
    }
    current = current ? `${current},${range}` : range;
  }
  if (current) sets.push(current);
  return sets;
}
