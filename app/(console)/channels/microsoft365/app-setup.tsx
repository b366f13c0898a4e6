'use client';
import { useState, type ReactNode } from 'react';
import { AppForm, type AppFormDefaults } from './app-form';
import { AzureChecklist } from './azure-checklist';

/** The app form beside the Azure checklist for the transport and access chosen in it, saved or not yet. */
export function AppSetup({
  heading,
  summary,
  footer,
  defaults,
  callbackUrl,
  fromRequest,
}: {
  heading: ReactNode;
  summary: ReactNode;
  footer: ReactNode;
  defaults: AppFormDefaults;
  callbackUrl: string;
  fromRequest: boolean;
}) {
  const [mode, setMode] = useState({ transport: defaults.transport, access: defaults.access });
  return (
    <section
      aria-labelledby="app"
      className="grid gap-6 rounded-lg border border-slate-200 bg-white p-6 lg:grid-cols-2"
    >
      <div className="space-y-4">
        {heading}
        {summary}
        <AppForm defaults={defaults} onModeChange={setMode} />
        {footer}
      </div>
      <AzureChecklist
        callbackUrl={callbackUrl}
        fromRequest={fromRequest}
        transport={mode.transport}
        access={mode.access}
        clientId={defaults.clientId}
      />
    </section>
  );
}
