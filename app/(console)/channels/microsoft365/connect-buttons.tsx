'use client';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState } from 'react';
import { ActionButton } from '@/app/_components/action-button';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import { addAccountAction, addSharedMailboxAction } from './actions';

export function AddAccountButton() {
  return (
    <ActionButton action={addAccountAction} pendingLabel="Opening Microsoft sign-in…">
      Add account
    </ActionButton>
  );
}

/** A shared mailbox: the address first, then a delegate with Full Access signs in. */
export function AddSharedMailbox() {
  const [state, action] = useActionState(addSharedMailboxAction, initialFormState);
  const form = useFormFeedback(state);
  return (
    <details
      className="rounded-lg border border-slate-200 bg-white p-4"
      open={Boolean(state.fieldErrors || state.message)}
    >
      <summary className="cursor-pointer text-sm font-semibold text-slate-900">Add shared mailbox</summary>
      <form ref={form} action={action} className="mt-4 space-y-3" noValidate>
        <p className="text-sm text-slate-600">
          Enter the shared mailbox’s address, then sign in as a user who has Full Access to it (and Send As, to send
          from it). The console reads it with that user’s sign-in.
        </p>
        {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
        <FormField
          label="Shared mailbox address"
          name="mailbox"
          type="email"
          required
          hint="For example support@contoso.com."
          defaultValue={state.values?.mailbox}
          errors={state.fieldErrors?.mailbox}
        />
        <SubmitButton pendingLabel="Opening Microsoft sign-in…">Sign in as a delegate</SubmitButton>
      </form>
    </details>
  );
}
