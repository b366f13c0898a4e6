import Link from 'next/link';
import { DataTable } from '@/app/_components/data-table';
import { EmptyState } from '@/app/_components/empty-state';
import { StatusBadge } from '@/app/_components/status-badge';
import type { AccountSummary } from '@/lib/db/queries/mail-accounts';
import { describeLastSync } from '@/lib/format/last-sync';
import { describeMailArrival } from '@/lib/format/mail-arrival';
import { mailboxModeLabel } from './mailbox-mode';

export function AccountList({
  accounts,
  appConfigured,
  applicationAccess = false,
  watched,
  pollMinutes,
}: {
  accounts: AccountSummary[];
  appConfigured: boolean;
  /** The app opens mailboxes with its own access: they are added by address, without a sign-in. */
  applicationAccess?: boolean;
  /** Mailboxes a worker watches with IMAP IDLE now. */
  watched: Set<string>;
  pollMinutes: number;
}) {
  if (accounts.length === 0) {
    return (
      <EmptyState title="No mailboxes connected">
        {applicationAccess
          ? 'Enter a mailbox’s address under “Add mailbox”: the app opens it with its own access.'
          : appConfigured
            ? 'Choose “Add account” and sign in with the mailbox’s Microsoft account. No password is stored.'
            : 'Save the app credentials below first, then add mailboxes with a browser sign-in.'}
      </EmptyState>
    );
  }
  return (
    <DataTable
      caption="Connected mailboxes"
      columns={[
        { label: 'Mailbox' },
        { label: 'Status' },
        { label: 'Last sync' },
        { label: 'Messages', align: 'right' },
      ]}
    >
      {accounts.map((account) => (
        <tr key={account.id} className="align-top">
          <td className="px-4 py-3">
            <Link
              href={`/channels/microsoft365/accounts/${account.id}`}
              className="font-medium text-brand-700 hover:underline"
            >
              {account.emailAddress}
            </Link>
            <p className="text-xs text-slate-600">
              {account.access === 'application'
                ? 'Opened with the app’s own access'
                : account.kind === 'shared'
                  ? `Shared mailbox, via ${account.signInAddress}`
                  : (account.displayName ?? 'User mailbox')}
            </p>
            <p className="text-xs text-slate-600" data-testid="mailbox-mode">
              {mailboxModeLabel(account)}
            </p>
          </td>
          <td className="px-4 py-3">
            <StatusBadge status={account.status} />
            {account.lastError ? (
              <p className="mt-1 max-w-xs text-xs text-slate-600">{account.lastError.message}</p>
            ) : null}
            {account.smtpWarning ? (
              <p className="mt-1 max-w-xs text-xs text-amber-800">Sending: {account.smtpWarning.message}</p>
            ) : null}
          </td>
          <td className="px-4 py-3 text-slate-700">
            <LastSync account={account} />
            <MailArrival text={describeMailArrival({ ...account, watched: watched.has(account.id), pollMinutes })} />
          </td>
          <td className="px-4 py-3 text-right tabular-nums">{account.messageCount.toLocaleString('en')}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function LastSync({ account }: { account: AccountSummary }) {
  const { line, detail } = describeLastSync(account);
  return (
    <>
      {line}
      {detail ? <p className="text-xs text-slate-600">{detail}</p> : null}
    </>
  );
}

function MailArrival({ text }: { text: string | undefined }) {
  return text ? (
    <p className="text-xs text-slate-600" data-testid="mail-arrival">
      New mail: {text}
    </p>
  ) : null;
}
