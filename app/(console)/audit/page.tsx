import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/app/_components/empty-state';
import { PageHeader } from '@/app/_components/page-header';
import { requireAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { listAuditEvents } from '@/lib/db/queries/audit-events';
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
      <PageHeader title="Audit log" description="Who changed what, and when: app credentials, mailboxes, administrators." />
      {events.length === 0 ? (
        <EmptyState title={cursor ? 'No older events' : 'No events yet'}>Changes made in the console are recorded here.</EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold text-slate-600 uppercase">
              <tr>
                <th scope="col" className="px-4 py-2">When</th>
                <th scope="col" className="px-4 py-2">Who</th>
                <th scope="col" className="px-4 py-2">What</th>
                <th scope="col" className="px-4 py-2">Target</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {events.map((event) => (
                <tr key={event.id}>
                  <td className="px-4 py-2 whitespace-nowrap text-slate-600">{formatDateTime(event.at)}</td>
                  <td className="px-4 py-2">{event.adminEmail ?? 'system'}</td>
                  <td className="px-4 py-2 font-mono text-xs">{event.action}</td>
                  <td className="px-4 py-2 text-slate-600">{event.target ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
