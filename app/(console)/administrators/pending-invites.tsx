import { ActionButton } from '@/app/_components/action-button';
import { formatDateTime } from '@/lib/format/date';
import { withdrawInvitation } from './actions';

export function PendingInvites({ invites }: { invites: { id: string; email: string; expiresAt: string }[] }) {
  if (invites.length === 0) return <p className="text-sm text-slate-600">No invitation is waiting to be used.</p>;
  return (
    <div>
      <h3 className="mb-2 text-sm font-semibold text-slate-800">Waiting to be used</h3>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
        {invites.map((invite) => (
          <li key={invite.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
            <div className="min-w-0">
              <p className="break-all text-slate-900">{invite.email}</p>
              <p className="text-xs text-slate-600">Link expires {formatDateTime(invite.expiresAt)}</p>
            </div>
            <ActionButton
              action={withdrawInvitation}
              fields={{ id: invite.id }}
              pendingLabel="Withdrawing…"
              variant="secondary"
            >
              Withdraw
            </ActionButton>
          </li>
        ))}
      </ul>
    </div>
  );
}
