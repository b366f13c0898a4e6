import { DataTable } from '@/app/_components/data-table';
import type { UnretrievableMessage } from '@/lib/db/queries/unretrievable';
import { formatDateTime } from '@/lib/format/date';

const REASON: Record<string, string> = {
  no_data: 'Listed by Exchange, but it sent nothing when asked for the message',
  placeholder: 'Exchange sent its “Retrieval using the IMAP4 protocol failed” notice instead of the message',
};

/**
 * Messages Exchange Online lists but does not hand over over IMAP (a known Exchange fault). Nothing is lost or
 * skipped: each sync asks again and stores them once Exchange serves them.
 */
export function UnretrievableList({ total, items }: { total: number; items: UnretrievableMessage[] }) {
  return (
    <section aria-labelledby="unretrievable" className="space-y-3">
      <h2 id="unretrievable" className="text-lg font-semibold text-slate-900">
        Not retrievable yet: {total.toLocaleString('en')} {total === 1 ? 'message' : 'messages'}
      </h2>
      <p className="max-w-3xl text-sm text-slate-700">
        Exchange Online lists {total === 1 ? 'this message' : 'these messages'} in the mailbox but would not send{' '}
        {total === 1 ? 'it' : 'them'} over IMAP. {total === 1 ? 'It is' : 'They are'} not deleted: every sync asks again
        and stores {total === 1 ? 'it' : 'them'} as soon as Exchange does. Meanwhile{' '}
        {total === 1 ? 'it can' : 'they can'} be read in Outlook on the web.
      </p>
      <DataTable
        caption="Messages not retrievable yet"
        columns={[
          { label: 'Folder' },
          { label: 'UID', align: 'right' as const },
          { label: 'What happened' },
          { label: 'First seen' },
          { label: 'Last tried' },
          { label: 'Tries', align: 'right' as const },
        ]}
      >
        {items.map((item) => (
          <tr key={`${item.folder}/${item.uidValidity}/${item.uid}`} className="align-top">
            <td className="px-4 py-2">{item.folder}</td>
            <td className="px-4 py-2 text-right tabular-nums">{item.uid}</td>
            <td className="px-4 py-2">{REASON[item.reason] ?? item.reason}</td>
            <td className="px-4 py-2 whitespace-nowrap text-slate-600">{formatDateTime(item.firstSeenAt)}</td>
            <td className="px-4 py-2 whitespace-nowrap text-slate-600">{formatDateTime(item.lastTriedAt)}</td>
            <td className="px-4 py-2 text-right tabular-nums">{item.attempts}</td>
          </tr>
        ))}
      </DataTable>
      {total > items.length ? (
        <p className="text-sm text-slate-600">
          The {items.length} oldest are shown; {(total - items.length).toLocaleString('en')} more are waiting too.
        </p>
      ) : null}
    </section>
  );
}
