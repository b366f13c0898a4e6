import 'server-only';
import type { ConnectIntent } from '@/lib/channels/microsoft365/connect';
import type { Db } from '@/lib/db/types';
import { findOAuthFlow } from '@/lib/db/queries/oauth-flows';
import { fail, type Failure, type Result } from '@/lib/errors';

export type RetryIntent = Result<{ intent: ConnectIntent | 'admin_consent' }, Failure<'flow.not_retryable'>>;

/** An unknown flow, another admin's, or one whose mailbox is gone: the same answer for all. */
export const notRetryable = () =>
  fail('flow.not_retryable', 'That sign-in cannot be retried. Start again from the Microsoft 365 page.');

/** What a failed flow was trying to do, so "Try again" starts the same thing. Only the admin's own flows. */
export async function intentOfFlow(db: Db, flowId: string, adminId: string): Promise<RetryIntent> {
  const flow = await findOAuthFlow(db, flowId);
  if (!flow || flow.adminId !== adminId) return notRetryable();
  switch (flow.intent) {
    case 'connect':
      return { ok: true, intent: { kind: 'connect' } };
    case 'reauthenticate':
      return flow.accountId
        ? { ok: true, intent: { kind: 'reauthenticate', accountId: flow.accountId } }
        : notRetryable();
    case 'shared_mailbox':
      return flow.sharedMailbox
        ? { ok: true, intent: { kind: 'shared_mailbox', mailbox: flow.sharedMailbox } }
        : notRetryable();
    case 'admin_consent':
      return { ok: true, intent: 'admin_consent' };
  }
}
