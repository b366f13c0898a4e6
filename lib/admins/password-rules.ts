import { z } from 'zod';

/** The one rule for every password an admin chooses (set-up, invitation, change, command line). */
export const newPasswordSchema = z
  .string('Choose a password of at least 12 characters.')
  .min(12, 'Use at least 12 characters.')
  .max(1024, 'Use at most 1,024 characters.');

export const displayNameSchema = z
  .string()
  .trim()
  .max(100, 'Keep the name under 100 characters.')
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Use letters and spaces only: no control characters.')
  .optional()
  .default('');

export const adminEmailSchema = z
  .email('Enter a valid e-mail address.')
  .max(254, 'Use an e-mail address of at most 254 characters.')
  .transform((v) => v.toLowerCase());
