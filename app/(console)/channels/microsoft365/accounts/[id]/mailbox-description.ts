import type { MailAccount } from '@/lib/db/queries/mail-accounts';

/** The line under a mailbox's address: whose sign-in reads a shared mailbox, or the user's name. */
export function mailboxDescription(
  account: Pick<MailAccount, 'kind' | 'signInAddress' | 'displayName' | 'access'>,
): string {
  if (account.access === 'application') return 'Opened with the app’s own access (no sign-in)';
  return account.kind === 'shared'
    ? `Shared mailbox, read with ${account.signInAddress}’s sign-in`
    : (account.displayName ?? 'User mailbox');
}
