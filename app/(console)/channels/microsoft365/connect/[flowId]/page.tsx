import { AdviceText } from '@/app/_components/advice-text';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { z } from 'zod';
import { ActionButton } from '@/app/_components/action-button';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import { findOAuthFlow } from '@/lib/db/queries/oauth-flows';
import { requestAdminConsentAction, retryConnectAction } from '../../actions';
import { ConnectedResult } from './connected-result';

export const metadata: Metadata = { title: 'Connecting a mailbox' };

const WHO: Record<string, string> = {
  console_admin: 'You, in this console',
  azure_admin: 'An administrator of your Microsoft Entra (Azure) tenant',
  mailbox_owner: 'The mailbox’s owner or your Exchange administrator',
  microsoft: 'Nobody: Microsoft’s service is having trouble',
  nobody: 'Nobody: try again later',
};

export default async function ConnectResultPage({ params }: { params: Promise<{ flowId: string }> }) {
  const admin = await requireAdmin();
  const { flowId } = await params;
  if (!z.uuid().safeParse(flowId).success) notFound();
  const db = await getDb();
  const flow = await findOAuthFlow(db, flowId);
  if (!flow || flow.adminId !== admin.id || !flow.outcome) notFound();
  if (flow.outcome.ok) {
    const account = flow.outcome.accountId ? await findAccount(db, flow.outcome.accountId) : undefined;
    if (!account || account.removedAt) redirect('/channels/microsoft365');
    return (
      <ConnectedResult
        account={account}
        reauthenticated={flow.intent === 'reauthenticate'}
        source={flow.outcome.addressSource}
      />
    );
  }
  const error = flow.outcome.error;

  return (
    <>
      <PageHeader
        title={flow.intent === 'admin_consent' ? 'Admin consent was not granted' : 'The mailbox was not connected'}
      />
      <div className="space-y-4 rounded-lg border border-red-200 bg-white p-6">
        <p className="text-lg font-semibold text-slate-900" data-testid="connect-error-title">
          {error.title}
        </p>
        <AdviceText text={error.explanation} className="text-sm text-slate-700" />
        <div className="rounded-md bg-slate-50 p-4 text-sm">
          <p className="font-semibold text-slate-900">What to do</p>
          <AdviceText text={error.action} className="mt-1 text-slate-700" />
          <p className="mt-2 text-xs text-slate-600">Who: {WHO[error.whoActs] ?? WHO.console_admin}</p>
          {error.link ? (
            <a
              href={error.link.href}
              target="_blank"
              rel="noreferrer noopener"
              className="mt-2 inline-block font-medium text-brand-700 hover:underline"
            >
              {error.link.label}
            </a>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-3">
          <ActionButton
            action={retryConnectAction}
            fields={{ flowId: flow.id }}
            pendingLabel="Opening Microsoft sign-in…"
          >
            Try again
          </ActionButton>
          {error.needsAdminConsent ? (
            <ActionButton action={requestAdminConsentAction} pendingLabel="Opening Microsoft…" variant="secondary">
              Request admin consent
            </ActionButton>
          ) : null}
        </div>
        <p className="text-sm text-slate-500">
          Nothing was saved. Error code: <code>{error.code}</code>
        </p>
        {error.raw ? (
          <details className="text-sm">
            <summary className="cursor-pointer text-slate-600">Microsoft’s message</summary>
            <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs whitespace-pre-wrap text-slate-700">
              {error.raw}
            </pre>
          </details>
        ) : null}
        <Link href="/channels/microsoft365" className="inline-block text-sm font-medium text-brand-700 hover:underline">
          Back to Microsoft 365
        </Link>
      </div>
    </>
  );
}
