'use client';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState } from 'react';
import { ActionButton } from '@/app/_components/action-button';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import { AdviceText } from '@/app/_components/advice-text';
import { addAccountAction, addApplicationMailboxAction, addSharedMailboxAction } from './actions';

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

/** Application access: no sign-in, only the address; the app's own token must open the mailbox first. */
export function AddApplicationMailbox({ transport }: { transport: 'imap' | 'graph' }) {
  const through = transport === 'imap' ? 'over IMAP' : 'through Microsoft Graph';
  const [state, action] = useActionState(addApplicationMailboxAction, initialFormState);
  const form = useFormFeedback(state);
  return (
    <section aria-labelledby="add-mailbox" className="rounded-lg border border-slate-200 bg-white p-4">
      <h3 id="add-mailbox" className="text-sm font-semibold text-slate-900">
        Add mailbox
      </h3>
      <form ref={form} action={action} className="mt-3 space-y-3" noValidate>
        <p className="text-sm text-slate-600">
          The app opens the mailbox with its own access (no sign-in). The console opens its Inbox {through} first and
          adds it only if that works.
        </p>
        {state.message ? (
          <FormMessage tone={state.ok ? 'success' : 'error'}>
            {state.message}
            <AdviceText text={state.hint} className="mt-2" />
          </FormMessage>
        ) : null}
        <FormField
          label="Mailbox address"
          name="mailbox"
          type="email"
          required
          autoComplete="off"
          hint="For example support@contoso.com: a user or shared mailbox of your organisation."
          defaultValue={state.ok ? '' : state.values?.mailbox}
          errors={state.fieldErrors?.mailbox}
        />
        <SubmitButton pendingLabel={`Checking the mailbox ${through}…`}>Add mailbox</SubmitButton>
      </form>
    </section>
  );
}
