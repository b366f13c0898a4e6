'use client';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState, useState } from 'react';
import { ChoiceFieldset } from '@/app/_components/choice-fieldset';
import { ConfirmCheckbox } from '@/app/_components/confirm-checkbox';
import { FormField, INPUT_CLASS } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import {
  ACCESSES,
  CLOUDS,
  TRANSPORTS,
  type MailAccess,
  type MailTransport,
} from '@/lib/channels/microsoft365/app-credentials-schema';
import { initialFormState } from '@/lib/form-state';
import { saveAppCredentialsAction } from './actions';

export interface AppFormDefaults {
  clientId: string;
  tenant: string;
  cloud: string;
  transport: MailTransport;
  access: MailAccess;
  secretExpiresOn: string;
  secretHint: string | null;
  /** Mailboxes signed in with the saved client ID: they must re-authenticate if it changes. */
  signedInMailboxes: number;
}

export function AppForm({
  defaults,
  onModeChange,
}: {
  defaults: AppFormDefaults;
  /** The checklist beside the form follows the choice before it is saved. */
  onModeChange?: (mode: { transport: MailTransport; access: MailAccess }) => void;
}) {
  const [state, action] = useActionState(saveAppCredentialsAction, initialFormState);
  const form = useFormFeedback(state);
  const value = (name: keyof AppFormDefaults) => state.values?.[name] ?? String(defaults[name] ?? '');
  const [clientId, setClientId] = useState(value('clientId'));
  const [cloud, setCloud] = useState(value('cloud') || 'global');
  const [transport, setTransport] = useState<MailTransport>(value('transport') === 'graph' ? 'graph' : 'imap');
  const [access, setAccess] = useState<MailAccess>(value('access') === 'application' ? 'application' : 'delegated');
  const choose = (next: { transport: MailTransport; access: MailAccess }) => {
    setTransport(next.transport);
    setAccess(next.access);
    onModeChange?.(next);
  };
  // The server's count wins: it may have changed since the page was rendered.
  const affected = state.confirm ?? defaults.signedInMailboxes;
  const replacesApp =
    defaults.secretHint !== null &&
    affected > 0 &&
    (clientId.trim().toLowerCase() !== defaults.clientId || cloud !== defaults.cloud);
  const errors = state.fieldErrors ?? {};

  return (
    <form ref={form} action={action} className="space-y-4" noValidate>
      {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
      <FormField
        label="Application (client) ID"
        name="clientId"
        required
        autoComplete="off"
        spellCheck={false}
        hint="A GUID like 1b2c3d4e-0000-4000-8000-123456789abc, from the app’s Overview page in Azure."
        value={clientId}
        onChange={(event) => setClientId(event.target.value)}
        errors={errors.clientId}
      />
      <FormField
        label="Client secret"
        name="clientSecret"
        type="password"
        autoComplete="new-password"
        required={defaults.secretHint === null}
        hint={
          defaults.secretHint
            ? `Saved (${defaults.secretHint}); leave empty to keep it. A new secret’s Value (not its Secret ID) replaces it.`
            : 'The secret’s Value from Certificates & secrets (not its Secret ID). Never shown again after saving.'
        }
        errors={errors.clientSecret}
      />
      <FormField
        label="Secret expires on"
        name="secretExpiresOn"
        type="date"
        defaultValue={value('secretExpiresOn')}
        hint="Optional, as shown in Azure. The console warns 30 days before."
        errors={errors.secretExpiresOn}
      />
      <FormField
        label="Directory (tenant) ID or domain"
        name="tenant"
        autoComplete="off"
        spellCheck={false}
        defaultValue={value('tenant') === 'common' ? '' : value('tenant')}
        hint="Single tenant: the directory ID or a verified domain. Multi-tenant: “organizations”. Multi-tenant and personal accounts: leave empty (common). “Personal Microsoft accounts only” is not supported."
        note={state.fieldNotes?.tenant}
        errors={errors.tenant}
      />
      <div className="space-y-1">
        <label htmlFor="cloud" className="block text-sm font-medium text-slate-800">
          Cloud
        </label>
        <select
          id="cloud"
          name="cloud"
          value={cloud}
          onChange={(event) => setCloud(event.target.value)}
          aria-invalid={errors.cloud ? true : undefined}
          aria-describedby={errors.cloud ? 'cloud-hint cloud-error' : 'cloud-hint'}
          className={INPUT_CLASS}
        >
          {CLOUDS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <p id="cloud-hint" className="text-xs text-slate-600">
          GCC: choose Global. GCC High and DoD are separate clouds with their own sign-in and mail hosts.
        </p>
        {errors.cloud ? (
          <p id="cloud-error" className="text-sm text-red-700">
            {errors.cloud.join(' ')}
          </p>
        ) : null}
      </div>
      <ChoiceFieldset
        name="transport"
        legend="Transport"
        choices={TRANSPORTS}
        value={transport}
        onChange={(next) => choose({ transport: next, access })}
        errors={errors.transport}
      />
      <ChoiceFieldset
        name="access"
        legend="Access"
        choices={ACCESSES}
        value={access}
        onChange={(next) => choose({ transport, access: next })}
        errors={errors.access}
      />
      {replacesApp || errors.confirmReauth ? (
        <ConfirmCheckbox
          name="confirmReauth"
          value={affected}
          errors={errors.confirmReauth}
          className="rounded-md border border-amber-300 bg-amber-50 p-3 text-slate-900"
        >
          A new client ID (or cloud) is a different app: the {affected === 1 ? 'mailbox' : `${affected} mailboxes`}{' '}
          signed in with the current one must re-authenticate. Entering the current client ID again later brings{' '}
          {affected === 1 ? 'it' : 'them'} back as before. To replace only an expiring secret, keep the client ID.
        </ConfirmCheckbox>
      ) : null}
      <SubmitButton pendingLabel="Checking with Microsoft and saving…">
        {defaults.secretHint ? 'Save changes' : 'Connect Microsoft 365 App'}
      </SubmitButton>
    </form>
  );
}
