/**
 * How soon a mailbox's new mail shows, in the console's words: "watching" while a worker holds an IMAP IDLE on its
 * INBOX (a live watch lease), otherwise how often the polled passes come round. Nothing for a mailbox that does
 * not sync (disabled, waiting for a sign-in).
 */
export function describeMailArrival(state: {
  status: string;
  watched: boolean;
  /** Minutes between polled passes; 0 when nothing schedules them (only "Sync now"). */
  pollMinutes: number;
}): string | undefined {
  if (state.status !== 'active') return undefined;
  if (state.watched) return 'watching (new mail within seconds)';
  if (state.pollMinutes <= 0) return 'checked only when synced by hand';
  return state.pollMinutes === 1 ? 'checked every minute' : `checked every ${state.pollMinutes} minutes`;
}
