import type { Metadata } from 'next';
import { EmptyState } from '@/app/_components/empty-state';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';

export const metadata: Metadata = { title: 'Microsoft 365' };

export default async function Microsoft365Page() {
  await requireAdmin();
  return (
    <>
      <PageHeader title="Microsoft 365" description="Connect Microsoft 365 and Outlook mailboxes with a browser sign-in; their mail is synced into this console's database." />
      <EmptyState title="No Microsoft 365 app connected yet">
        Register an app in Microsoft Entra, then enter its client ID, tenant and secret here to start connecting mailboxes.
      </EmptyState>
    </>
  );
}
