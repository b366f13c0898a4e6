import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTable } from '@/app/_components/data-table';
import { EmptyState } from '@/app/_components/empty-state';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { listAuditEvents } from '@/lib/db/queries/audit-events';
import { describeAuditEvent } from '@/lib/audit/describe-event';
import { formatDateTime } from '@/lib/format/date';

export const metadata: Metadata = { title: 'Audit log' };
const PAGE_SIZE = 50;

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ before?: string }> }) {
  await requireAdmin();
  const { before } = await searchParams;
  const cursor = before && /^\d{1,15}$/.test(before) ? Number(before) : undefined;
  const events = await listAuditEvents(await getDb(), { before: cursor, limit: PAGE_SIZE });
  const last = events.at(-1);
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who changed what, and when: app credentials, mailboxes, administrators."
      />
      {events.length === 0 ? (
        <EmptyState title={cursor ? 'No older events' : 'No events yet'}>
          Changes made in the console are recorded here.
        </EmptyState>
      ) : (
        <DataTable caption="Audit events" columns={[{ label: 'When' }, { label: 'What happened' }]}>
          {events.map((event) => (
            <tr key={event.id} data-action={event.action}>
              <td className="px-4 py-2 whitespace-nowrap text-slate-700">{formatDateTime(event.at)}</td>
              <td className="px-4 py-2 break-words">{describeAuditEvent(event)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {events.length === PAGE_SIZE && last ? (
        <p className="mt-4 text-sm">
          <Link className="font-medium text-brand-700 hover:underline" href={`/audit?before=${last.id}`}>
            Older events
          </Link>
        </p>
      ) : null}
    </>
  );
}
