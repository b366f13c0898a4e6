'use client';
import { AdviceText } from '@/app/_components/advice-text';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { useActionState } from 'react';
import { FormField } from '@/app/_components/form-field';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import type { Leg } from '@/lib/channels/microsoft365/verify-mail-flow';
import { sendTestMessageAction, verifyMailFlowAction, type VerifyState } from './mail-flow-actions';

function LegLine({ name, leg }: { name: string; leg: Leg }) {
  if (leg.ok)
    return (
      <li data-leg={name} data-ok="true">
        ✔ {name}: {(leg.durationMs / 1000).toFixed(1)} s
        {leg.removed ? (
          <span className="block text-xs">The check message arrived and was removed from the console’s mail.</span>
        ) : null}
      </li>
    );
  if ('skipped' in leg) return <li data-leg={name}>– {name}: not tried</li>;
  return (
    <li data-leg={name} data-ok="false">
      ✘ {name}: <strong>{leg.error.title}</strong>
      <AdviceText text={leg.error.action} className="mt-1 text-xs" />
    </li>
  );
}

export function MailFlow({ accountId, address }: { accountId: string; address: string }) {
  const [sendState, send] = useActionState(sendTestMessageAction, initialFormState);
  const [verifyState, verify] = useActionState(verifyMailFlowAction, {} as VerifyState);
  const sendForm = useFormFeedback(sendState);
  const verifyForm = useFormFeedback(verifyState);
  const result = verifyState.result;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <form ref={sendForm} action={send} className="space-y-3" noValidate>
        <h3 className="text-sm font-semibold text-slate-900">Send a test message</h3>
        <input type="hidden" name="accountId" value={accountId} />
        {sendState.message ? (
          <FormMessage tone={sendState.ok ? 'success' : 'error'}>
            {sendState.message}
            <AdviceText text={sendState.hint} className="mt-1" />
          </FormMessage>
        ) : null}
        <FormField
          label="To"
          name="to"
          type="email"
          required
          defaultValue={sendState.values?.to}
          errors={sendState.fieldErrors?.to}
        />
        <FormField
          label="Subject"
          name="subject"
          required
          defaultValue={sendState.values?.subject ?? 'Test message from Mailgate 365'}
          errors={sendState.fieldErrors?.subject}
        />
        <div className="space-y-1">
          <label htmlFor="body" className="block text-sm font-medium text-slate-800">
            Text
          </label>
          <textarea
            id="body"
            name="body"
            rows={3}
            defaultValue={sendState.values?.body ?? `This is a test message sent from ${address} by Mailgate 365.`}
            className="block w-full rounded-md border border-slate-500 px-3 py-2 text-sm"
          />
        </div>
        <SubmitButton pendingLabel="Sending…" variant="secondary">
          Send test message
        </SubmitButton>
      </form>
      <form ref={verifyForm} action={verify} className="space-y-3">
        <h3 className="text-sm font-semibold text-slate-900">Verify mail flow</h3>
        <p className="text-sm text-slate-600">
          Sends a message with a unique code to {address} itself, then syncs until it arrives (up to a minute): proves
          sending and receiving. The check message is marked as such and removed from the console once it arrived.
        </p>
        <input type="hidden" name="accountId" value={accountId} />
        <SubmitButton pendingLabel="Verifying: sending, then waiting for it to arrive…">Verify mail flow</SubmitButton>
        {verifyState.message ? <FormMessage tone="error">{verifyState.message}</FormMessage> : null}
        {result ? (
          <FormMessage tone={result.send.ok && result.receive.ok ? 'success' : 'error'}>
            <ul className="space-y-1">
              <LegLine name="Send (SMTP)" leg={result.send} />
              <LegLine name="Receive (IMAP sync)" leg={result.receive} />
            </ul>
          </FormMessage>
        ) : null}
      </form>
    </div>
  );
}
