'use client';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { NewPasswordFields } from '@/app/_components/new-password-fields';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { initialFormState } from '@/lib/form-state';
import { changeOwnPasswordAction } from './actions';

export function ChangePasswordForm() {
  const [state, action] = useActionState(changeOwnPasswordAction, initialFormState);
  const form = useFormFeedback(state);
  return (
    <form ref={form} action={action} className="max-w-md space-y-4" noValidate>
      {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
      <FormField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        errors={state.fieldErrors?.currentPassword}
      />
      <NewPasswordFields
        errors={state.fieldErrors}
        label="New password"
        name="newPassword"
        hint="At least 12 characters. Your other sessions are signed out."
      />
      <SubmitButton pendingLabel="Changing…">Change password</SubmitButton>
    </form>
  );
}
