'use client';
import { useActionState } from 'react';
import { ConfirmCheckbox } from '@/app/_components/confirm-checkbox';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { initialFormState } from '@/lib/form-state';
import { removeAdministratorAction } from './actions';

export function RemoveAdminForm({ id, label, self }: { id: string; label: string; self: boolean }) {
  const [state, action] = useActionState(removeAdministratorAction, initialFormState);
  const form = useFormFeedback(state);
  return (
    <details className="min-w-48" open={Boolean(state.fieldErrors || state.message)}>
      <summary className="cursor-pointer text-sm font-medium text-red-800">Remove…</summary>
      <form ref={form} action={action} className="mt-2 space-y-2">
        <input type="hidden" name="id" value={id} />
        {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
        <ConfirmCheckbox name="confirm" errors={state.fieldErrors?.confirm}>
          Remove {label} and end their sessions
        </ConfirmCheckbox>
        {self ? (
          <ConfirmCheckbox name="confirmSelf" errors={state.fieldErrors?.confirmSelf}>
            This is my own account: sign me out for good
          </ConfirmCheckbox>
        ) : null}
        <SubmitButton pendingLabel="Removing…" variant="danger">
          Remove administrator
        </SubmitButton>
      </form>
    </details>
  );
}
