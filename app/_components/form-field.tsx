import type { InputHTMLAttributes } from 'react';

interface FormFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  errors?: string[];
  hint?: React.ReactNode;
  /** An outcome that is not an error (e.g. what Microsoft said of a credential); shown in place of the hint. */
  note?: string;
}

export const INPUT_CLASS =
  'block w-full rounded-md border border-slate-500 bg-white px-3 py-2 text-sm shadow-sm placeholder:text-slate-600 focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none aria-invalid:border-red-600';

/**
 * A labelled input whose message is tied to it for screen readers: its error when there is one, else its note,
 * else its hint; never two lines saying the same thing.
 */
export function FormField({ label, name, errors, hint, note, id, className, ...input }: FormFieldProps) {
  const fieldId = id ?? name;
  const error = errors?.length ? errors.join(' ') : undefined;
  const message = error ?? note ?? hint;
  const messageId = message ? `${fieldId}-${error ? 'error' : note ? 'note' : 'hint'}` : undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={fieldId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        id={fieldId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={messageId}
        className={`${INPUT_CLASS} ${className ?? ''}`}
        {...input}
      />
      {message ? (
        <p
          id={messageId}
          data-field-message={error ? 'error' : note ? 'note' : 'hint'}
          className={error ? 'text-sm text-red-700' : note ? 'text-sm text-slate-800' : 'text-xs text-slate-600'}
        >
          {message}
        </p>
      ) : null}
    </div>
  );
}
