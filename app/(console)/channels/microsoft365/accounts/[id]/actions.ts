'use server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { requireAdmin } from '@/lib/auth/require-admin';
import {
  accountMissing,
  accountSettingsSchema,
  changeAccountSettings,
  correctMailboxAddress,
  mailboxAddressSchema,
  removeAccount,
  setAccountEnabled,
} from '@/lib/channels/microsoft365/accounts';
import { startSyncNow } from '@/lib/channels/microsoft365/sync-now';
import { getDb } from '@/lib/db';
import { echoValues, fieldErrorsOf, formFailure, type FormState } from '@/lib/form-state';

const accountId = z.uuid();
const GONE = formFailure(accountMissing().error);

export async function saveAccountSettingsAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  if (!id.success) return GONE;
  const input = accountSettingsSchema.safeParse({
    folders: form.getAll('folders').filter((v): v is string => typeof v === 'string'),
    afterFetch: form.get('afterFetch'),
    confirmDelete: form.get('confirmDelete') ?? undefined,
  });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error) };
  const changed = await changeAccountSettings(await getDb(), admin, id.data, input.data);
  if (!changed.ok) return formFailure(changed.error);
  revalidatePath(`/channels/microsoft365/accounts/${id.data}`);
  return { ok: true, message: 'Settings saved. They apply from the next sync.' };
}

export async function setAccountEnabledAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  const enabled = form.get('enabled');
  if (!id.success || (enabled !== 'true' && enabled !== 'false')) return GONE;
  const changed = await setAccountEnabled(await getDb(), admin, id.data, enabled === 'true');
  if (!changed.ok) return formFailure(changed.error);
  revalidatePath(`/channels/microsoft365/accounts/${id.data}`);
  return {
    ok: true,
    message:
      enabled === 'true' ? 'Enabled: the mailbox syncs again.' : 'Disabled: the mailbox is not synced until enabled.',
  };
}

export async function removeAccountAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  if (!id.success) return GONE;
  const keep = form.get('messages');
  if (keep !== 'keep' && keep !== 'delete')
    return { ok: false, fieldErrors: { messages: ['Choose whether to keep its stored messages.'] } };
  if (form.get('confirm') !== 'yes') return { ok: false, fieldErrors: { confirm: ['Confirm the removal.'] } };
  const removed = await removeAccount(await getDb(), admin, id.data, keep === 'keep');
  if (!removed.ok) return formFailure(removed.error);
  revalidatePath('/channels/microsoft365');
  redirect('/channels/microsoft365?removed=1');
}

export async function syncNowAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  if (!id.success) return GONE;
  const result = await startSyncNow(await getDb(), admin, id.data);
  return result.ok
    ? { ok: true, message: 'Sync started.', started: { since: result.since.toISOString(), items: 1 } }
    : formFailure(result.error);
}

export async function correctMailboxAddressAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  if (!id.success) return GONE;
  const input = mailboxAddressSchema.safeParse({ address: form.get('address') });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values: echoValues(form) };
  const corrected = await correctMailboxAddress(await getDb(), admin, id.data, input.data.address);
  if (!corrected.ok) return formFailure(corrected.error);
  revalidatePath(`/channels/microsoft365/accounts/${id.data}`);
  return {
    ok: true,
    values: { address: input.data.address },
    message: `Saved: mail is sent from and verified at ${input.data.address}. Run “Verify mail flow” to prove it.`,
  };
}
