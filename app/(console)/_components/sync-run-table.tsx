import Link from 'next/link';
import { DataTable } from '@/app/_components/data-table';
import type { SyncRun, SyncRunWithAccount } from '@/lib/db/queries/sync-runs';
import { formatDateTime } from '@/lib/format/date';
import { formatSize } from '@/lib/messages/format-size';

const OUTCOME: Record<SyncRun['outcome'], string> = {
  running: 'Running',
  success: 'Success',
  partial: 'Partial (resumes next run)',
  failed: 'Failed',
};

const TRIGGER: Record<string, string> = {
  cron: 'Scheduler (cron)',
  schedule: 'Console schedule',
  cli: 'npm run sync',
  manual: 'Sync now',
  watch: 'New mail (IDLE)',
};

function duration(run: SyncRun): string {
  return run.finishedAt ? `${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)} s` : '—';
}

/** Sync runs, newest first; with `showMailbox` for the all-mailboxes page. */
export function SyncRunTable({
  runs,
  showMailbox = false,
}: {
  runs: (SyncRun | SyncRunWithAccount)[];
  showMailbox?: boolean;
}) {
  const columns = [
    { label: 'Started' },
    ...(showMailbox ? [{ label: 'Mailbox' }] : []),
    { label: 'Trigger' },
    { label: 'Outcome' },
    { label: 'Messages', align: 'right' as const },
    { label: 'Size', align: 'right' as const },
    { label: 'Duration', align: 'right' as const },
  ];
  return (
    <DataTable caption="Sync runs" columns={columns}>
      {runs.map((run) => (
        <tr key={run.id} className="align-top">
          <td className="px-4 py-2 whitespace-nowrap text-slate-600">{formatDateTime(run.startedAt)}</td>
          {showMailbox ? (
            <td className="px-4 py-2">
              {'address' in run && run.address ? (
                <Link
                  className="text-brand-700 hover:underline"
                  href={`/channels/microsoft365/accounts/${run.accountId}`}
                >
                  {run.address}
                </Link>
              ) : (
                'Removed mailbox'
              )}
            </td>
          ) : null}
          <td className="px-4 py-2">{TRIGGER[run.trigger] ?? run.trigger}</td>
          <td className="px-4 py-2">
            {OUTCOME[run.outcome]}
            {run.errorMessage ? <p className="max-w-xs text-xs text-slate-700">{run.errorMessage}</p> : null}
          </td>
          <td className="px-4 py-2 text-right tabular-nums">{run.messages.toLocaleString('en')}</td>
          <td className="px-4 py-2 text-right whitespace-nowrap tabular-nums">{formatSize(run.bytes)}</td>
          <td className="px-4 py-2 text-right whitespace-nowrap tabular-nums">{duration(run)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
