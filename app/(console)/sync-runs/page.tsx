import type { Metadata } from 'next';
import { EmptyState } from '@/app/_components/empty-state';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';

export const metadata: Metadata = { title: 'Sync runs' };

export default async function SyncRunsPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader title="Sync runs" description="Each run of the mail sync, per mailbox: when, how much, and how it ended." />
      <EmptyState title="No sync runs yet">Runs are recorded once a mailbox is connected and the scheduler calls the sync route.</EmptyState>
    </>
  );
}
