'use client';
import Link from 'next/link';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { NewPasswordFields } from '@/app/_components/new-password-fields';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import { createFirstAdmin } from './actions';

export function SetupForm({ askForToken }: { askForToken: boolean }) {
  const [state, action] = useActionState(createFirstAdmin, initialFormState);
  const form = useFormFeedback(state);
  return (
    <form ref={form} action={action} className="space-y-4" noValidate>
      {state.message ? (
        <FormMessage tone={state.ok ? 'success' : 'error'}>
          {state.message}{' '}
          <Link className="font-medium underline" href="/sign-in">
            Go to sign-in
          </Link>
        </FormMessage>
      ) : null}
      {askForToken ? (
        <FormField
          label="Set-up token"
          name="setupToken"
          autoComplete="off"
          spellCheck={false}
          required
          autoFocus
          defaultValue={state.values?.setupToken}
          hint="Printed in the server log when the console starts: the line “Set-up token for the first administrator”. It proves you run this server."
          errors={state.fieldErrors?.setupToken}
        />
      ) : null}
      <FormField
        label="Your name"
        name="name"
        autoComplete="name"
        autoFocus={!askForToken}
        defaultValue={state.values?.name}
        errors={state.fieldErrors?.name}
      />
      <FormField
        label="E-mail"
        name="email"
        type="email"
        autoComplete="username"
        required
        defaultValue={state.values?.email}
        errors={state.fieldErrors?.email}
      />
      <NewPasswordFields errors={state.fieldErrors} />
      <SubmitButton pendingLabel="Creating…" className="w-full">
        Create administrator
      </SubmitButton>
    </form>
  );
}
