import { EmptyState } from '@/app/_components/empty-state';
import type { SyncRun } from '@/lib/db/queries/sync-runs';
import { formatDateTime } from '@/lib/format/date';

const OUTCOME: Record<SyncRun['outcome'], string> = { running: 'Running', success: 'Success', partial: 'Partial (resumes next run)', failed: 'Failed' };

export function SyncHistory({ runs }: { runs: SyncRun[] }) {
  if (runs.length === 0) return <EmptyState title="No sync runs yet">The first run starts at the next scheduled sync.</EmptyState>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Last sync runs</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2">Started</th>
            <th scope="col" className="px-4 py-2">Trigger</th>
            <th scope="col" className="px-4 py-2">Outcome</th>
            <th scope="col" className="px-4 py-2 text-right">Messages</th>
            <th scope="col" className="px-4 py-2 text-right">Size</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {runs.map((run) => (
            <tr key={run.id}>
              <td className="px-4 py-2 whitespace-nowrap text-slate-600">{formatDateTime(run.startedAt)}</td>
              <td className="px-4 py-2">{run.trigger}</td>
              <td className="px-4 py-2">
                {OUTCOME[run.outcome]}
                {run.errorMessage ? <p className="text-xs text-slate-600">{run.errorMessage}</p> : null}
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{run.messages.toLocaleString('en')}</td>
              <td className="px-4 py-2 text-right tabular-nums">{(run.bytes / 1_048_576).toFixed(1)} MB</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
