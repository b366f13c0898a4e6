'use client';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import type { Enrolment } from '@/lib/auth/two-factor';
import { confirmTwoFactorAction, type EnrolState } from './actions';

const initial: EnrolState = { ok: false };

export function EnrolTwoFactorForm({ enrolment }: { enrolment: Enrolment }) {
  const [state, action] = useActionState(confirmTwoFactorAction, initial);
  const form = useFormFeedback(state);
  if (state.ok && state.recoveryCodes) {
    return (
      <FormMessage tone="success">
        <p>{state.message}</p>
        <ul aria-label="Recovery codes" className="mt-2 grid grid-cols-2 gap-1 font-mono text-sm text-slate-900">
          {state.recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
      </FormMessage>
    );
  }
  return (
    <div className="flex flex-wrap items-start gap-6">
      <figure className="w-44 shrink-0">
        {/* Rendered on the server from the otpauth:// URI; no third party sees the secret. */}
        <div
          role="img"
          aria-label="QR code to scan with your authenticator app"
          className="rounded border border-slate-200 bg-white"
          dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
        />
        <figcaption className="mt-2 text-xs break-all text-slate-600">
          Or type this key: <code className="text-slate-900">{enrolment.secret}</code>
        </figcaption>
      </figure>
      <form ref={form} action={action} className="max-w-sm flex-1 space-y-3" noValidate>
        <p className="text-sm text-slate-700">
          Scan the code with an authenticator app (Microsoft Authenticator, Google Authenticator, 1Password…), then
          enter the 6-digit code it shows.
        </p>
        {state.message ? <FormMessage tone="error">{state.message}</FormMessage> : null}
        <input type="hidden" name="sealed" value={enrolment.sealed} />
        <FormField
          label="Code from the app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          errors={state.fieldErrors?.code}
        />
        <SubmitButton pendingLabel="Checking…">Turn on two-factor sign-in</SubmitButton>
      </form>
    </div>
  );
}
