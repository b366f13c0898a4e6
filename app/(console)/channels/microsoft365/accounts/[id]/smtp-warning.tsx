import { AdviceText } from '@/app/_components/advice-text';
import { FormMessage } from '@/app/_components/form-message';
import type { AccountError } from '@/lib/db/schema';

/** A mailbox that receives but cannot send: why, and the fix (often a PowerShell line). */
export function SmtpWarning({ warning }: { warning: AccountError | null }) {
  if (!warning) return null;
  return (
    <FormMessage tone="info">
      <strong>Receiving works, sending does not: {warning.message}</strong>
      <AdviceText text={warning.hint} className="mt-1" />
    </FormMessage>
  );
}
