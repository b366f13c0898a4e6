import { formatDateTime } from '@/lib/format/date';

interface SyncState {
  lastSyncedAt: Date | null;
  lastSyncOutcome: string | null;
  lastError: { at: string } | null;
}

/**
 * The last sync in words. `last_synced_at` moves only on success, so a failure is named with its own time and the
 * last success stays apart: never "<an older success's time> (failed)".
 */
export function describeLastSync(account: SyncState): { line: string; detail?: string } {
  if (!account.lastSyncOutcome) return { line: 'Not yet' };
  const lastSuccess = account.lastSyncedAt
    ? `Last successful sync: ${formatDateTime(account.lastSyncedAt)}`
    : 'No successful sync yet';
  if (account.lastSyncOutcome === 'failed') {
    return {
      line: account.lastError ? `Failed ${formatDateTime(account.lastError.at)}` : 'Failed',
      detail: lastSuccess,
    };
  }
  const outcome = account.lastSyncOutcome === 'partial' ? 'partial, continues in the next run' : 'success';
  return { line: `${formatDateTime(account.lastSyncedAt)} (${outcome})` };
}
