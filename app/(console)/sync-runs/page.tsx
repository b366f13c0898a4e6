import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/app/_components/empty-state';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { listRecentSyncRuns } from '@/lib/db/queries/sync-runs';
import { formatDateTime } from '@/lib/format/date';

export const metadata: Metadata = { title: 'Sync runs' };
const PAGE_SIZE = 50;
const OUTCOME = { running: 'Running', success: 'Success', partial: 'Partial (resumes next run)', failed: 'Failed' } as const;

export default async function SyncRunsPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireAdmin();
  const { before } = await searchParams;
  const cursor = before && /^\d{1,15}$/.test(before) ? Number(before) : undefined;
  const runs = await listRecentSyncRuns(await getDb(), { before: cursor, limit: PAGE_SIZE });
  const last = runs.at(-1);
  return (
    <>
      <PageHeader title="Sync runs" description="Each run of the mail sync, per mailbox: when, how much, and how it ended." />
      {runs.length === 0 ? (
        <EmptyState title={cursor ? 'No older runs' : 'No sync runs yet'}>Runs are recorded once a mailbox is connected and the scheduler calls the sync route.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2">Started</th>
                <th scope="col" className="px-4 py-2">Mailbox</th>
                <th scope="col" className="px-4 py-2">Trigger</th>
                <th scope="col" className="px-4 py-2">Outcome</th>
                <th scope="col" className="px-4 py-2 text-right">Messages</th>
                <th scope="col" className="px-4 py-2 text-right">Duration</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {runs.map((run) => (
                <tr key={run.id} className="align-top">
                  <td className="px-4 py-2 whitespace-nowrap text-slate-600">{formatDateTime(run.startedAt)}</td>
                  <td className="px-4 py-2">
                    {run.address ? <Link className="text-brand-700 hover:underline" href={`/channels/microsoft365/accounts/${run.accountId}`}>{run.address}</Link> : 'Removed mailbox'}
                  </td>
                  <td className="px-4 py-2">{run.trigger}</td>
                  <td className="px-4 py-2">
                    {OUTCOME[run.outcome]}
                    {run.errorMessage ? <p className="max-w-xs text-xs text-slate-600">{run.errorMessage}</p> : null}
                  </td>
                  <td className="px-4 py-2 text-right tabular-nums">{run.messages.toLocaleString('en')}</td>
                  <td className="px-4 py-2 text-right tabular-nums">{run.finishedAt ? `${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)} s` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {runs.length === PAGE_SIZE && last ? (
        <p className="mt-4 text-sm">
          <Link className="font-medium text-brand-700 hover:underline" href={`/sync-runs?before=${last.id}`}>Older runs</Link>
        </p>
      ) : null}
    </>
  );
}
