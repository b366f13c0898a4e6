'use client';
import { useActionState, useState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { CLOUDS } from '@/lib/channels/microsoft365/app-credentials-schema';
import { initialFormState } from '@/lib/form-state';
import { saveAppCredentialsAction } from './actions';

export interface AppFormDefaults {
  clientId: string;
  tenant: string;
  cloud: string;
  secretExpiresOn: string;
  secretHint: string | null;
  connectedAccounts: number;
}

export function AppForm({ defaults }: { defaults: AppFormDefaults }) {
  const [state, action] = useActionState(saveAppCredentialsAction, initialFormState);
  const value = (name: keyof AppFormDefaults) => state.values?.[name] ?? String(defaults[name] ?? '');
  const [clientId, setClientId] = useState(value('clientId'));
  const clientIdChanges =
    defaults.secretHint !== null &&
    defaults.connectedAccounts > 0 &&
    clientId.trim().toLowerCase() !== defaults.clientId;
  const errors = state.fieldErrors ?? {};

  return (
    <form action={action} className="space-y-4" noValidate>
      {state.message ? <FormMessage tone={state.ok ? 'success' : 'error'}>{state.message}</FormMessage> : null}
      <FormField
        label="Application (client) ID"
        name="clientId"
        required
        autoComplete="off"
        spellCheck={false}
        placeholder="00000000-0000-0000-0000-000000000000"
        value={clientId}
        onChange={(event) => setClientId(event.target.value)}
        errors={errors.clientId}
      />
      {clientIdChanges ? (
        <FormMessage tone="info">
          Changing the client ID disconnects every mailbox: each of the {defaults.connectedAccounts} connected mailboxes
          will have to re-authenticate. To replace only an expiring secret, keep the client ID and enter the new secret.
        </FormMessage>
      ) : null}
      <FormField
        label="Client secret"
        name="clientSecret"
        type="password"
        autoComplete="new-password"
        required={defaults.secretHint === null}
        placeholder={
          defaults.secretHint ? `Saved (${defaults.secretHint}); leave empty to keep it` : 'The secret’s Value'
        }
        hint="The secret’s Value from Certificates & secrets (not its Secret ID). Never shown again after saving."
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
        placeholder="common"
        defaultValue={value('tenant') === 'common' ? '' : value('tenant')}
        hint="Single tenant: the directory ID or a verified domain. Multi-tenant: “organizations”. Multi-tenant and personal accounts: leave empty (common). “Personal Microsoft accounts only” is not supported."
        errors={errors.tenant}
      />
      <div className="space-y-1">
        <label htmlFor="cloud" className="block text-sm font-medium text-slate-800">
          Cloud
        </label>
        <select
          id="cloud"
          name="cloud"
          defaultValue={value('cloud') || 'global'}
          aria-describedby="cloud-hint"
          className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
        >
          {CLOUDS.map((cloud) => (
            <option key={cloud.value} value={cloud.value}>
              {cloud.label}
            </option>
          ))}
        </select>
        <p id="cloud-hint" className="text-xs text-slate-500">
          GCC: choose Global. GCC High and DoD are separate clouds with their own sign-in and mail hosts.
        </p>
        {errors.cloud ? <p className="text-sm text-red-700">{errors.cloud.join(' ')}</p> : null}
      </div>
      <SubmitButton pendingLabel="Saving…">
        {defaults.secretHint ? 'Save changes' : 'Connect Microsoft 365 App'}
      </SubmitButton>
    </form>
  );
}
