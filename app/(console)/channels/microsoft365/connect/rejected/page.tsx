import { AdviceText } from '@/app/_components/advice-text';
import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { REJECTION_TEXT, type CallbackRejection } from '@/lib/channels/microsoft365/callback-params';

export const metadata: Metadata = { title: 'Sign-in not completed' };

export default async function RejectedCallbackPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  await requireAdmin();
  const { reason } = await searchParams;
  const text = REJECTION_TEXT[(reason && reason in REJECTION_TEXT ? reason : 'invalid') as CallbackRejection];
  return (
    <>
      <PageHeader title="The mailbox was not connected" />
      <div className="space-y-4 rounded-lg border border-red-200 bg-white p-6">
        <p className="font-semibold text-slate-900" data-testid="connect-error-title">
          {text.title}
        </p>
        <AdviceText text={text.action} className="text-sm text-slate-700" />
        <p className="text-sm text-slate-500">Nothing was changed.</p>
        <Link href="/channels/microsoft365" className="inline-block text-sm font-medium text-brand-700 hover:underline">
          Back to Microsoft 365
        </Link>
      </div>
    </>
  );
}
