import type { Metadata } from 'next';
import { EmptyState } from '@/app/_components/empty-state';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';

export const metadata: Metadata = { title: 'Messages' };

export default async function MessagesPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader title="Messages" description="Every message synced from connected mailboxes, newest first." />
      <EmptyState title="No messages yet">Messages appear here after the first sync of a connected mailbox.</EmptyState>
    </>
  );
}
