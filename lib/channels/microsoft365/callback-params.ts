import { z } from 'zod';

/** What Microsoft may send back to the callback; anything else (or anything oversized) is refused unread. */
export const callbackParamsSchema = z.object({
  state: z.string().regex(/^[A-Za-z0-9_-]{20,128}$/),
  code: z.string().min(1).max(8192).optional(),
  error: z
    .string()
    .regex(/^[a-z_]{1,64}$/)
    .optional(),
  // Kept for the failure page, so stored: Postgres refuses NUL in jsonb text (Microsoft's own CR LF stay).
  error_description: z
    .string()
    .max(4096)
    .transform((v) => v.replaceAll('\u0000', ''))
    .optional(),
  // `cancel` next to access_denied (the user left without consenting, or could not consent).
  error_subcode: z
    .string()
    .regex(/^[a-z_]{1,32}$/)
    .optional(),
  admin_consent: z.string().max(16).optional(),
  tenant: z.string().max(253).optional(),
});

export type CallbackParams = z.infer<typeof callbackParamsSchema>;

/** Why a callback could not even be matched to a sign-in this admin started; each has its own page text. */
export type CallbackRejection = 'invalid' | 'unknown' | 'expired' | 'used' | 'foreign';

export const REJECTION_TEXT: Record<CallbackRejection, { title: string; action: string }> = {
  invalid: {
    title: 'This sign-in answer is not one the console can read.',
    action:
      'Start again from “Add account”. If it keeps happening, check that the redirect URI in Azure is exactly the callback URL shown on the Microsoft 365 page.',
  },
  unknown: {
    title: 'This sign-in was not started from this console.',
    action: 'Start again from “Add account”; links to the callback cannot be reused or shared.',
  },
  expired: {
    title: 'The sign-in took longer than 10 minutes.',
    action: 'Start again from “Add account” and finish the Microsoft sign-in within 10 minutes.',
  },
  used: {
    title: 'This sign-in was already completed.',
    action: 'Each sign-in can be used once. Check the mailbox list, or start again from “Add account”.',
  },
  foreign: {
    title: 'This sign-in was started by another administrator.',
    action: 'Only the administrator who started a sign-in can complete it. Start your own from “Add account”.',
  },
};
