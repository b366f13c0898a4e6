'use client';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState } from 'react';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState, type FormState } from '@/lib/form-state';

/** A one-button form for a server action, with hidden fields, a pending label and the action's message. */
export function ActionButton({
  action,
  fields = {},
  children,
  pendingLabel,
  variant = 'primary',
}: {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  fields?: Record<string, string>;
  children: React.ReactNode;
  pendingLabel: string;
  variant?: 'primary' | 'secondary' | 'danger';
}) {
  const [state, formAction] = useActionState(action, initialFormState);
  const form = useFormFeedback(state);
  return (
    <form ref={form} action={formAction} className="inline-flex flex-col gap-2">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <SubmitButton pendingLabel={pendingLabel} variant={variant}>
        {children}
      </SubmitButton>
      {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
    </form>
  );
}
