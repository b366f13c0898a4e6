import type { z } from 'zod';
import { visibleMessage, type Failure } from '@/lib/errors';

/** What a server action returns to a `useActionState` form: a message, errors per field, and what was typed. */
export interface FormState {
  ok: boolean;
  message?: string;
  /** What to do next, shown under the message (e.g. the exact PowerShell fix). */
  hint?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  /** A field's outcome that is not an error, shown where the hint is (e.g. what Microsoft said of a credential). */
  fieldNotes?: Record<string, string>;
  values?: Record<string, string>;
  /** A number the admin must confirm to go on (e.g. how many mailboxes must re-authenticate). */
  confirm?: number;
  /** Work started in the background: when (server time, ISO) and how many items, for progress polling. */
  started?: { since: string; items: number };
}

export const initialFormState: FormState = { ok: false };

/** The typed values of a form, minus the fields that must never be sent back (passwords, secrets). */
export function echoValues(form: FormData, omit: readonly string[] = []): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string' && !key.startsWith('$') && !omit.includes(key)) values[key] = value;
  }
  return values;
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

/** A use case's failure as a form's message: its sentence, unless its code keeps it for the log. */
export function formFailure(failure: Failure, extra: Omit<FormState, 'ok' | 'message'> = {}): FormState {
  return { ok: false, message: visibleMessage(failure), ...extra };
}
