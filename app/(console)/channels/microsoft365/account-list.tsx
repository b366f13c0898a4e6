import Link from 'next/link';
import { EmptyState } from '@/app/_components/empty-state';
import { StatusBadge } from '@/app/_components/status-badge';
import type { AccountSummary } from '@/lib/db/queries/mail-accounts';
import { formatDateTime } from '@/lib/format/date';

export function AccountList({ accounts, appConfigured }: { accounts: AccountSummary[]; appConfigured: boolean }) {
  if (accounts.length === 0) {
    return (
      <EmptyState title="No mailboxes connected">
        {appConfigured
          ? 'Choose “Add account” and sign in with the mailbox’s Microsoft account. No password is stored.'
          : 'Save the app credentials below first, then add mailboxes with a browser sign-in.'}
      </EmptyState>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Connected mailboxes</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2">Mailbox</th>
            <th scope="col" className="px-4 py-2">Status</th>
            <th scope="col" className="px-4 py-2">Last sync</th>
            <th scope="col" className="px-4 py-2 text-right">Messages</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {accounts.map((account) => (
            <tr key={account.id} className="align-top">
              <td className="px-4 py-3">
                <Link href={`/channels/microsoft365/accounts/${account.id}`} className="font-medium text-brand-700 hover:underline">
                  {account.emailAddress}
                </Link>
                <p className="text-xs text-slate-500">
                  {account.kind === 'shared' ? `Shared mailbox, via ${account.signInAddress}` : (account.displayName ?? 'User mailbox')}
                </p>
              </td>
              <td className="px-4 py-3">
                <StatusBadge status={account.status} />
                {account.lastError ? <p className="mt-1 max-w-xs text-xs text-slate-600">{account.lastError.message}</p> : null}
                {account.smtpWarning ? <p className="mt-1 max-w-xs text-xs text-amber-800">Sending: {account.smtpWarning.message}</p> : null}
              </td>
              <td className="px-4 py-3 text-slate-600">
                {account.lastSyncedAt ? formatDateTime(account.lastSyncedAt) : 'Not yet'}
                {account.lastSyncOutcome ? <p className="text-xs">{account.lastSyncOutcome}</p> : null}
              </td>
              <td className="px-4 py-3 text-right tabular-nums">{account.messageCount.toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
