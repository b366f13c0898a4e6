'use client';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState } from 'react';
import { ConfirmCheckbox } from '@/app/_components/confirm-checkbox';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import { removeAccountAction } from './actions';

export function RemoveForm({ accountId, address }: { accountId: string; address: string }) {
  const [state, action] = useActionState(removeAccountAction, initialFormState);
  const form = useFormFeedback(state);
  return (
    <details
      className="rounded-lg border border-red-200 bg-white p-4"
      open={Boolean(state.fieldErrors || state.message)}
    >
      <summary className="cursor-pointer text-sm font-semibold text-red-800">Remove this mailbox</summary>
      <form ref={form} action={action} className="mt-4 space-y-3">
        <input type="hidden" name="accountId" value={accountId} />
        {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
        <fieldset className="space-y-1 text-sm">
          <legend className="font-medium text-slate-800">Its stored messages</legend>
          <label className="flex gap-2">
            <input type="radio" name="messages" value="keep" defaultChecked /> Keep them in the console
          </label>
          <label className="flex gap-2">
            <input type="radio" name="messages" value="delete" /> Delete them too
          </label>
        </fieldset>
        <ConfirmCheckbox name="confirm" errors={state.fieldErrors?.confirm}>
          Remove {address} and forget its sign-in
        </ConfirmCheckbox>
        <SubmitButton pendingLabel="Removing…" variant="danger">
          Remove mailbox
        </SubmitButton>
      </form>
    </details>
  );
}
