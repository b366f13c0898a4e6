const STATUS = {
  active: { label: 'Active', dot: 'bg-green-500', text: 'text-green-800' },
  needs_reauth: { label: 'Needs re-authentication', dot: 'bg-amber-500', text: 'text-amber-800' },
  disabled: { label: 'Disabled', dot: 'bg-slate-400', text: 'text-slate-600' },
  error: { label: 'Error', dot: 'bg-red-500', text: 'text-red-800' },
} as const;

export type AccountStatus = keyof typeof STATUS;

export function StatusBadge({ status }: { status: AccountStatus }) {
  const s = STATUS[status];
  return (
    <span className={`inline-flex items-center gap-1.5 text-sm font-medium ${s.text}`} data-status={status}>
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${s.dot}`} />
      {s.label}
    </span>
  );
}
