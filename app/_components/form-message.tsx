/** A form-level message; role="status" (not "alert") so it does not collide with Next's route announcer. */
export function FormMessage({ tone, children }: { tone: 'error' | 'success' | 'info'; children: React.ReactNode }) {
  const styles = {
    error: 'border-red-200 bg-red-50 text-red-800',
    success: 'border-green-200 bg-green-50 text-green-800',
    info: 'border-brand-100 bg-brand-50 text-slate-800',
  }[tone];
  return (
    <div role="status" aria-live="polite" data-tone={tone} className={`rounded-md border px-3 py-2 text-sm ${styles}`}>
      {children}
    </div>
  );
}
