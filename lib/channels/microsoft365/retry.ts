import 'server-only';
import type { ConnectIntent } from '@/lib/channels/microsoft365/connect';
import type { Db } from '@/lib/db/types';
import { findOAuthFlow } from '@/lib/db/queries/oauth-flows';

/** What a failed flow was trying to do, so "Try again" starts the same thing. Only the admin's own flows. */
export async function intentOfFlow(
  db: Db,
  flowId: string,
  adminId: string,
): Promise<ConnectIntent | 'admin_consent' | null> {
  const flow = await findOAuthFlow(db, flowId);
  if (!flow || flow.adminId !== adminId) return null;
  switch (flow.intent) {
    case 'connect':
      return { kind: 'connect' };
    case 'reauthenticate':
      return flow.accountId ? { kind: 'reauthenticate', accountId: flow.accountId } : null;
    case 'shared_mailbox':
      return flow.sharedMailbox ? { kind: 'shared_mailbox', mailbox: flow.sharedMailbox } : null;
    case 'admin_consent':
      return 'admin_consent';
  }
}
