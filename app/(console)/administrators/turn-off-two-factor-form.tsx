'use client';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { initialFormState } from '@/lib/form-state';
import { turnOffTwoFactorAction } from './actions';

export function TurnOffTwoFactorForm() {
  const [state, action] = useActionState(turnOffTwoFactorAction, initialFormState);
  const form = useFormFeedback(state);
  return (
    <details open={Boolean(state.fieldErrors || state.message)}>
      <summary className="cursor-pointer text-sm font-medium text-red-800">Turn off two-factor sign-in…</summary>
      <form ref={form} action={action} className="mt-2 max-w-sm space-y-3" noValidate>
        {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
        <FormField
          label="Your current password"
          id="turnOffPassword"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          errors={state.fieldErrors?.currentPassword}
        />
        <SubmitButton pendingLabel="Turning off…" variant="danger">
          Turn off
        </SubmitButton>
      </form>
    </details>
  );
}
