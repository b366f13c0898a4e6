'use client';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { signInWithPassword, type SignInState } from './actions';

const initial: SignInState = { ok: false };

export function SignInForm({ next }: { next?: string }) {
  const [state, action] = useActionState(signInWithPassword, initial);
  const form = useFormFeedback(state);
  return (
    <form ref={form} action={action} className="space-y-4" noValidate>
      {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      <input type="hidden" name="next" value={next ?? ''} />
      {state.ticket ? (
        <>
          <input type="hidden" name="ticket" value={state.ticket} />
          <input type="hidden" name="email" value={state.values?.email ?? ''} />
          <FormField
            label="Authentication code"
            name="code"
            inputMode="text"
            autoComplete="one-time-code"
            required
            autoFocus
            hint="The 6-digit code your authenticator app shows, or one of your recovery codes."
            errors={state.fieldErrors?.code}
          />
          <SubmitButton pendingLabel="Checking…" className="w-full">
            Verify and sign in
          </SubmitButton>
        </>
      ) : (
        <>
          <FormField
            label="E-mail"
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus
            defaultValue={state.values?.email}
            errors={state.fieldErrors?.email}
          />
          <FormField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            errors={state.fieldErrors?.password}
          />
          <SubmitButton pendingLabel="Signing in…" className="w-full">
            Sign in
          </SubmitButton>
        </>
      )}
    </form>
  );
}
