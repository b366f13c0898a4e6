'use server';
import { z } from 'zod';
import { requireAdmin } from '@/lib/auth/require-admin';
import { sendFromMailbox, testMessageSchema } from '@/lib/channels/microsoft365/send-test';
import { accountMissing } from '@/lib/channels/microsoft365/accounts';
import { verifyMailFlow, type VerifyLegs } from '@/lib/channels/microsoft365/verify-mail-flow';
import { getDb } from '@/lib/db';
import { visibleMessage } from '@/lib/errors';
import { echoValues, fieldErrorsOf, formFailure, type FormState } from '@/lib/form-state';

const accountId = z.uuid();

export async function sendTestMessageAction(_: FormState, form: FormData): Promise<FormState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  if (!id.success) return formFailure(accountMissing().error);
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

export type VerifyState = { result?: VerifyLegs; message?: string };

export async function verifyMailFlowAction(_: VerifyState, form: FormData): Promise<VerifyState> {
  const admin = await requireAdmin();
  const id = accountId.safeParse(form.get('accountId'));
  if (!id.success) return { message: accountMissing().error.message };
  const verified = await verifyMailFlow(await getDb(), admin, id.data);
  if (!verified.ok) return { message: visibleMessage(verified.error) };
  return { result: { send: verified.send, receive: verified.receive } };
}
