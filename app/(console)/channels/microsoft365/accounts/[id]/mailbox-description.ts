import type { MailAccount } from '@/lib/db/queries/mail-accounts';

/** The line under a mailbox's address: whose sign-in reads a shared mailbox, or the user's name. */
export function mailboxDescription(account: Pick<MailAccount, 'kind' | 'signInAddress' | 'displayName'>): string {
  return account.kind === 'shared'
    ? `Shared mailbox, read with ${account.signInAddress}’s sign-in`
    : (account.displayName ?? 'User mailbox');
}
