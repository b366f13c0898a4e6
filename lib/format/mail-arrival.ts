/**
 * How soon a mailbox's new mail shows, in the console's words: "watching" while a worker holds an IMAP IDLE on its
 * INBOX (a live watch lease), otherwise how often the polled passes come round. IDLE covers INBOX only, so a
 * watched mailbox that syncs other folders too says they are still polled. Nothing for a mailbox that does not
 * sync (disabled, waiting for a sign-in).
 */
export function describeMailArrival(state: {
  status: string;
  watched: boolean;
  /** The folders the mailbox syncs. */
  folders: readonly string[];
  /** Minutes between polled passes; 0 when nothing schedules them (only "Sync now"). */
  pollMinutes: number;
}): string | undefined {
  if (state.status !== 'active') return undefined;
  if (state.watched) {
    if (state.folders.every((folder) => folder === 'INBOX')) return 'watching (new mail within seconds)';
    return `watching INBOX (new mail within seconds); other folders ${polled(state.pollMinutes)}`;
  }
  return polled(state.pollMinutes);
}

function polled(minutes: number): string {
  if (minutes <= 0) return 'checked only when synced by hand';
  return minutes === 1 ? 'checked every minute' : `checked every ${minutes} minutes`;
}
