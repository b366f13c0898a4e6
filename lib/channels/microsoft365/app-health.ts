import type { AccountError } from '@/lib/db/schema';

// The app's secret is shared by every mailbox: one of these is one problem with one fix, not N account errors.
const APP_LEVEL_CODES: Record<string, { title: string; action: string }> = {
  AADSTS7000222: {
    title: 'The app’s client secret expired.',
    action:
      'Create a new client secret in Azure (Certificates & secrets) and enter it in the app form below; mailboxes stay connected.',
  },
  AADSTS7000215: {
    title: 'The app’s client secret is not valid.',
    action: 'Enter the secret’s Value (not its Secret ID) in the app form below, or create a new one in Azure.',
  },
};

/** The app-level problem shown once above the list, when any mailbox reports it. */
export function appLevelProblem(accounts: { lastError: AccountError | null }[]) {
  for (const account of accounts) {
    const problem = account.lastError ? APP_LEVEL_CODES[account.lastError.code] : undefined;
    if (problem) return problem;
  }
  return null;
}
