'use client';
import { useFormStatus } from 'react-dom';

const VARIANTS = {
  primary: 'bg-brand-600 text-white hover:bg-brand-700 shadow-sm',
  secondary: 'border border-slate-500 bg-white text-slate-800 hover:bg-slate-50',
  danger: 'bg-red-600 text-white hover:bg-red-700 shadow-sm',
} as const;

/**
 * A submit button that shows the pending state of its form and cannot be pressed twice. Not `disabled` while
 * pending: a disabled button loses focus, which drops a keyboard user to the top of the page. A click (also the
 * one Enter in a field makes) is cancelled instead.
 */
export function SubmitButton({
  children,
  pendingLabel,
  className = '',
  variant = 'primary',
}: {
  children: React.ReactNode;
  pendingLabel: string;
  className?: string;
  variant?: keyof typeof VARIANTS;
}) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      aria-disabled={pending || undefined}
      onClick={(event) => {
        if (pending) event.preventDefault();
      }}
      className={`inline-flex items-center justify-center rounded-md px-4 py-2 text-sm font-semibold aria-disabled:cursor-wait aria-disabled:opacity-70 ${VARIANTS[variant]} ${className}`}
    >
      {pending ? pendingLabel : children}
    </button>
  );
}
