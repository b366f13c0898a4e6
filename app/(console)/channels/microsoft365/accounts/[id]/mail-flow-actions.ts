'use server';
import { z } from 'zod';
import { requireAdmin } from '@/lib/auth/require-admin';
import { sendFromMailbox, testMessageSchema } from '@/lib/channels/microsoft365/send-test';
import { verifyMailFlow, type VerifyResult } from '@/lib/channels/microsoft365/verify-mail-flow';
import { getDb } from '@/lib/db';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import { echoValues, fieldErrorsOf, type FormState } from '@/lib/form-state';

const accountId = z.uuid();

export async function sendTestMessageAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  if (!id.success) return { ok: false, message: 'That mailbox no longer exists.' };
  const values = echoValues(form);
  const input = testMessageSchema.safeParse({
    to: form.get('to'),
    subject: form.get('subject'),
    body: form.get('body') ?? '',
  });
  if (!input.success) return { ok: false, fieldErrors: fieldErrorsOf(input.error), values };
  const result = await sendFromMailbox(await getDb(), admin, id.data, input.data);
  if (result.ok)
    return { ok: true, values, message: `Sent to ${input.data.to} in ${(result.durationMs / 1000).toFixed(1)} s.` };
  return { ok: false, values, message: result.error.title, hint: result.error.action };
}

export type VerifyState = { result?: VerifyResult; message?: string };

export async function verifyMailFlowAction(_: VerifyState, form: FormData): Promise<VerifyState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  const db = await getDb();
  const account = id.success ? await findAccount(db, id.data) : undefined;
  if (!id.success || !account || account.removedAt) return { message: 'That mailbox no longer exists.' };
  if (account.status !== 'active' && account.status !== 'error')
    return { message: 'Only an active mailbox can be verified: re-authenticate or enable it first.' };
  return { result: await verifyMailFlow(db, admin, id.data) };
}
