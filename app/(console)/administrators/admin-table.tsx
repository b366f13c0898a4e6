import { DataTable } from '@/app/_components/data-table';
import { formatDateTime } from '@/lib/format/date';
import { RemoveAdminForm } from './remove-admin-form';

export interface AdminRow {
  id: string;
  name: string | null;
  email: string;
  createdAt: string;
  lastSignInAt: string | null;
  sessions: { id: string; lastSeenAt: string; userAgent: string | null; current: boolean }[];
}

export function AdminTable({ admins, me }: { admins: AdminRow[]; me: string }) {
  const last = admins.length <= 1;
  return (
    <DataTable
      caption="Administrators"
      columns={[{ label: 'Administrator' }, { label: 'Signed in' }, { label: 'Active sessions' }, { label: 'Remove' }]}
    >
      {admins.map((admin) => (
        <tr key={admin.id} className="align-top">
          <td className="px-4 py-3">
            <p className="font-medium break-all text-slate-900">
              {admin.name || admin.email}
              {admin.id === me ? <span className="ml-2 text-xs font-normal text-slate-600">(you)</span> : null}
            </p>
            {admin.name ? <p className="break-all text-slate-700">{admin.email}</p> : null}
            <p className="text-xs text-slate-600">Added {formatDateTime(admin.createdAt)}</p>
          </td>
          <td className="px-4 py-3 whitespace-nowrap text-slate-700">
            {admin.lastSignInAt ? formatDateTime(admin.lastSignInAt) : 'Never'}
          </td>
          <td className="px-4 py-3">
            {admin.sessions.length === 0 ? (
              <p className="text-slate-600">None</p>
            ) : (
              <ul className="space-y-2">
                {admin.sessions.map((session) => (
                  <li key={session.id}>
                    <p className="text-slate-900">
                      Last seen {formatDateTime(session.lastSeenAt)}
                      {session.current ? (
                        <span className="ml-2 rounded-full bg-brand-50 px-2 text-xs font-semibold text-brand-700">
                          this browser
                        </span>
                      ) : null}
                    </p>
                    <p className="max-w-xs text-xs break-all text-slate-600">
                      {session.userAgent ?? 'Unknown browser'}
                    </p>
                  </li>
                ))}
              </ul>
            )}
          </td>
          <td className="px-4 py-3">
            {last ? (
              <p className="text-xs text-slate-600">The only administrator cannot be removed.</p>
            ) : (
              <RemoveAdminForm id={admin.id} label={admin.name || admin.email} self={admin.id === me} />
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
