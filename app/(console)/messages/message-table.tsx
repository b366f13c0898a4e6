import Link from 'next/link';
import type { MessageAccountOption, MessageListRow } from '@/lib/db/queries/messages';
import { formatDateTime } from '@/lib/format/date';
import { visibleText } from '@/lib/format/visible-text';
import { messagePageUrl } from '@/lib/messages/urls';
import { MessageMarkers } from './message-markers';

export function MessageTable({ rows, accounts }: { rows: MessageListRow[]; accounts: MessageAccountOption[] }) {
  const addressOf = new Map(accounts.map((account) => [account.id, account.emailAddress]));
  return (
    <div
      className="overflow-x-auto rounded-lg border border-slate-200 bg-white"
      tabIndex={0}
      role="region"
      aria-label="Messages, newest first"
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Messages, newest first</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-4 py-2">
              Received
            </th>
            <th scope="col" className="px-4 py-2">
              From
            </th>
            <th scope="col" className="px-4 py-2">
              Subject
            </th>
            <th scope="col" className="px-4 py-2">
              Account
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.id} className="align-top">
              <td className="px-4 py-2 whitespace-nowrap text-slate-600">{formatDateTime(row.internalDate)}</td>
              <td className="max-w-72 min-w-40 px-4 py-2 break-words">
                {row.fromAddress ? visibleText(row.fromAddress) : '—'}
              </td>
              <td className="max-w-md px-4 py-2">
                <Link
                  href={messagePageUrl(row.id)}
                  className="font-medium text-slate-900 hover:text-brand-700 hover:underline"
                >
                  {row.subject ? visibleText(row.subject) : '(no subject)'}
                </Link>
                <MessageMarkers
                  hasAttachments={row.hasAttachments}
                  parseError={row.hasParseError}
                  skipped={row.skipped}
                />
                {row.snippet ? <p className="line-clamp-2 text-xs text-slate-500">{visibleText(row.snippet)}</p> : null}
              </td>
              <td className="px-4 py-2 whitespace-nowrap text-slate-600">
                {addressOf.get(row.accountId) ?? '—'}
                <span className="block text-xs text-slate-600">{visibleText(row.folder)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
