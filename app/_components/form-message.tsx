/**
 * A form-level or page-level message. Not a live region itself: forms announce their outcome through the page's
 * one live region (use-form-feedback), so nothing is read out twice.
 */
export function FormMessage({ tone, children }: { tone: 'error' | 'success' | 'info'; children: React.ReactNode }) {
  const styles = {
    error: 'border-red-200 bg-red-50 text-red-800',
    success: 'border-green-200 bg-green-50 text-green-800',
    info: 'border-brand-100 bg-brand-50 text-slate-800',
  }[tone];
  return (
    <div data-tone={tone} className={`rounded-md border px-3 py-2 text-sm ${styles}`}>
      {children}
    </div>
  );
}
