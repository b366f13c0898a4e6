'use server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireAdmin } from '@/lib/auth/require-admin';
import { addApplicationMailbox, applicationMailboxSchema } from '@/lib/channels/microsoft365/add-application-mailbox';
import { saveAppCredentials } from '@/lib/channels/microsoft365/app-credentials';
import { appCredentialsSchema } from '@/lib/channels/microsoft365/app-credentials-schema';
import { startAdminConsent, startConnect, type ConnectIntent } from '@/lib/channels/microsoft365/connect';
import { intentOfFlow, notRetryable } from '@/lib/channels/microsoft365/retry';
import { startSyncNow } from '@/lib/channels/microsoft365/sync-now';
import { redirectBaseUrl } from '@/lib/config/base-url';
import { getDb } from '@/lib/db';
import { countOf } from '@/lib/format/count';
import { echoValues, fieldErrorsOf, formFailure, type FormState } from '@/lib/form-state';

export async function saveAppCredentialsAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const values = echoValues(form, ['clientSecret']);
  const input = appCredentialsSchema.safeParse(Object.fromEntries(form));
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };
  const confirmed = Number(form.get('confirmReauth') ?? Number.NaN);
  const result = await saveAppCredentials(await getDb(), input.data, admin, {
    confirmedReauth: Number.isSafeInteger(confirmed) ? confirmed : undefined,
  });
  const check = result.ok ? result.check : result.error.check;
  const fieldNotes = check && check.result !== 'refused' ? { tenant: check.note } : undefined;
  if (!result.ok) {
    const { field, message, mustReauthenticate } = result.error;
    return { ok: false, fieldErrors: { [field]: [message] }, fieldNotes, values, confirm: mustReauthenticate };
  }
  revalidatePath('/channels/microsoft365');
  return { ok: true, fieldNotes, message: savedMessage(result.mustReauthenticate, result.restored) };
}

function savedMessage(mustReauthenticate: number, restored: number): string {
  const parts = ['Saved.'];
  if (mustReauthenticate > 0)
    parts.push(
      `${countOf(mustReauthenticate, 'mailbox', 'mailboxes')} signed in with the previous client ID must re-authenticate.`,
    );
  if (restored > 0)
    parts.push(
      `${countOf(restored, 'mailbox', 'mailboxes')} signed in with this client ID before ${restored === 1 ? 'works' : 'work'} again.`,
    );
  if (mustReauthenticate === 0 && restored === 0) parts.push('Connected mailboxes keep working.');
  return parts.join(' ');
}

const uuid = z.uuid();
const mailboxSchema = z.object({
  mailbox: z
    .email('Enter the shared mailbox’s e-mail address, e.g. support@contoso.com.')
    .max(254, 'Use an e-mail address of at most 254 characters.')
    .transform((v) => v.toLowerCase()),
});

/** Every connect variant ends the same way: a flow row, then the browser goes to Microsoft. */
async function goToMicrosoft(intent: ConnectIntent): Promise<FormState> {
  const admin = await requireAdmin();
  const base = redirectBaseUrl(await headers());
  if (!base.ok) return formFailure(base.error);
  const started = await startConnect(await getDb(), admin, intent, base.url);
  if (!started.ok) return formFailure(started.error);
  redirect(started.url);
}

export async function addAccountAction(_: FormState, form: FormData): Promise<FormState> {
  return goToMicrosoft({ kind: 'connect', consent: form.get('consent') === '1' });
}

export async function addSharedMailboxAction(_: FormState, form: FormData): Promise<FormState> {
  await requireAdmin();
  const input = mailboxSchema.safeParse({ mailbox: form.get('mailbox') });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values: echoValues(form) };
  return goToMicrosoft({ kind: 'shared_mailbox', mailbox: input.data.mailbox });
}

/** Application access: the app's own token must open the mailbox's Inbox before it is stored. */
export async function addApplicationMailboxAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const values = echoValues(form);
  const input = applicationMailboxSchema.safeParse({ mailbox: form.get('mailbox') });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };
  const result = await addApplicationMailbox(await getDb(), admin, input.data.mailbox);
  if (!result.ok) {
    if (result.error.code !== 'mailbox.refused') return formFailure(result.error, { values });
    const { title, explanation, action } = result.error.explained;
    return { ok: false, message: `${title} ${explanation}`, hint: action, values };
  }
  revalidatePath('/channels/microsoft365');
  return { ok: true, message: `${input.data.mailbox} is connected: the app opened its Inbox.` };
}

export async function reauthenticateAction(_: FormState, form: FormData): Promise<FormState> {
  await requireAdmin();
  const accountId = uuid.safeParse(form.get('accountId'));
  if (!accountId.success) return { ok: false, message: 'That mailbox does not exist.' };
  return goToMicrosoft({ kind: 'reauthenticate', accountId: accountId.data });
}

export async function retryConnectAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const flowId = uuid.safeParse(form.get('flowId'));
  const retry = flowId.success ? await intentOfFlow(await getDb(), flowId.data, admin.id) : notRetryable();
  if (!retry.ok) return formFailure(retry.error);
  if (retry.intent === 'admin_consent') return requestAdminConsentAction({ ok: false }, form);
  return goToMicrosoft({ ...retry.intent, consent: form.get('consent') === '1' });
}

export async function requestAdminConsentAction(_: FormState, _form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const base = redirectBaseUrl(await headers());
  if (!base.ok) return formFailure(base.error);
  const started = await startAdminConsent(await getDb(), admin, base.url);
  if (!started.ok) return formFailure(started.error);
  redirect(started.url);
}

export async function syncAllNowAction(_: FormState, _form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const result = await startSyncNow(await getDb(), admin);
  if (!result.ok) return formFailure(result.error);
  revalidatePath('/channels/microsoft365');
  return {
    ok: true,
    message: `Sync started for ${countOf(result.accounts, 'mailbox', 'mailboxes')}.`,
    started: { since: result.since.toISOString(), items: result.accounts },
  };
}
