import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/app/_components/empty-state';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { listRecentSyncRuns } from '@/lib/db/queries/sync-runs';
import { SyncRunTable } from '@/app/(console)/_components/sync-run-table';

export const metadata: Metadata = { title: 'Sync runs' };
const PAGE_SIZE = 50;

export default async function SyncRunsPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireAdmin();
  const { before } = await searchParams;
  const cursor = before && /^\d{1,15}$/.test(before) ? Number(before) : undefined;
  const runs = await listRecentSyncRuns(await getDb(), { before: cursor, limit: PAGE_SIZE });
  const last = runs.at(-1);
  return (
    <>
      <PageHeader
        title="Sync runs"
        description="Each run of the mail sync, per mailbox: when, how much, and how it ended."
      />
      {runs.length === 0 ? (
        <EmptyState title={cursor ? 'No older runs' : 'No sync runs yet'}>
          Runs are recorded once a mailbox is connected and the scheduler calls the sync route.
        </EmptyState>
      ) : (
        <SyncRunTable runs={runs} showMailbox />
      )}
      {runs.length === PAGE_SIZE && last ? (
        <p className="mt-4 text-sm">
          <Link className="font-medium text-brand-700 hover:underline" href={`/sync-runs?before=${last.id}`}>
            Older runs
          </Link>
        </p>
      ) : null}
    </>
  );
}
