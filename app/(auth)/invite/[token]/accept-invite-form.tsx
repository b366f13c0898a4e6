'use client';
import Link from 'next/link';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { NewPasswordFields } from '@/app/_components/new-password-fields';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { initialFormState } from '@/lib/form-state';
import { acceptAdminInvite } from './actions';

export function AcceptInviteForm({ token }: { token: string }) {
  const [state, action] = useActionState(acceptAdminInvite, initialFormState);
  const form = useFormFeedback(state);
  return (
    <form ref={form} action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      {state.message ? (
        <FormMessage tone={state.ok ? 'success' : 'error'}>
          {state.message}{' '}
          <Link className="font-medium underline" href="/sign-in">
            Go to sign-in
          </Link>
        </FormMessage>
      ) : null}
      <FormField
        label="Your name"
        name="name"
        autoComplete="name"
        autoFocus
        defaultValue={state.values?.name}
        errors={state.fieldErrors?.name}
      />
      <NewPasswordFields errors={state.fieldErrors} />
      <SubmitButton pendingLabel="Joining…" className="w-full">
        Join as administrator
      </SubmitButton>
    </form>
  );
}
