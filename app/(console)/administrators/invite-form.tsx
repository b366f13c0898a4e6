'use client';
import { useActionState } from 'react';
import { CopyButton } from '@/app/_components/copy-button';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { inviteAdministrator, type InviteState } from './actions';

const initial: InviteState = { ok: false };

export function InviteForm() {
  const [state, action] = useActionState(inviteAdministrator, initial);
  const form = useFormFeedback(state);
  return (
    <div className="space-y-3">
      <form ref={form} action={action} className="flex max-w-xl flex-wrap items-end gap-3" noValidate>
        <div className="min-w-64 flex-1">
          <FormField
            label="Their e-mail"
            name="email"
            type="email"
            autoComplete="off"
            required
            defaultValue={state.ok ? '' : state.values?.email}
            errors={state.fieldErrors?.email}
          />
        </div>
        <SubmitButton pendingLabel="Creating link…">Create invitation link</SubmitButton>
      </form>
      {state.ok && state.link ? (
        <FormMessage tone="success">
          <p>{state.message}</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="min-w-0 flex-1 rounded bg-white px-2 py-1 text-xs break-all text-slate-900">
              {state.link}
            </code>
            <CopyButton value={state.link} label="Copy link" />
          </div>
        </FormMessage>
      ) : null}
    </div>
  );
}
