/**
 * How long the polled pass leaves a watched INBOX-only mailbox alone after its last successful sync.
 *
 * While a live worker holds an IDLE on the INBOX, every EXISTS it is told of starts a sync at once, so polling the
 * mailbox as well would only open a connection (connect, authenticate, a status read) to find nothing new. IDLE
 * is a notification, not a guarantee: RFC 2177 lets a server send updates "at any time" but promises none, and
 * Exchange Online's docs say nothing of delivering every EXISTS to an idling session (we found no statement
 * either way), so a notification lost to a dropped link, a proxy, or a server restart would leave that mail
 * waiting for the next announcement. Hence a safety net: once the last successful sync is this old, the polled
 * pass syncs the mailbox anyway, so a missed EXISTS is corrected within 30 minutes, at the cost of one idle sync
 * per watched mailbox per half hour (about 1/30 of polling it every minute).
 * Source: RFC 2177 section 3, https://www.rfc-editor.org/rfc/rfc2177
 */
export const WATCHED_RECHECK_MS = 30 * 60_000;
