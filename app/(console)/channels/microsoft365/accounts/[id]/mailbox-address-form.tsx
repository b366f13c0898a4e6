'use client';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import { correctMailboxAddressAction } from './actions';

/** Confirms or corrects the address mail is sent from and verified at; the sign-in name is not editable. */
export function MailboxAddressForm({ accountId, address }: { accountId: string; address: string }) {
  const [state, action] = useActionState(correctMailboxAddressAction, initialFormState);
  return (
    <form action={action} className="space-y-3" noValidate>
      <input type="hidden" name="accountId" value={accountId} />
      {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
      <FormField
        label="Mailbox address"
        name="address"
        type="email"
        required
        autoComplete="off"
        defaultValue={state.values?.address ?? address}
        errors={state.fieldErrors?.address}
        hint="The address mail is sent from and the Verify round trip sends to: the mailbox’s primary SMTP address."
      />
      <SubmitButton pendingLabel="Saving…" variant="secondary">
        Save address
      </SubmitButton>
    </form>
  );
}
