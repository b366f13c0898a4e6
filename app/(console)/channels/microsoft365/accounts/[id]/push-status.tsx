import { getEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db';
import { findSubscriptionOfAccount } from '@/lib/db/queries/graph-subscriptions';
import type { mailAccounts } from '@/lib/db/schema';
import { formatDateTime } from '@/lib/format/date';

/** Whether Graph pushes this mailbox's new mail (a change-notification subscription), for Graph mailboxes only. */
export async function PushStatus({ account }: { account: Pick<typeof mailAccounts.$inferSelect, 'id' | 'transport'> }) {
  if (account.transport !== 'graph') return null;
  const configured = Boolean(getEnv().GRAPH_NOTIFICATION_URL);
  const subscription = configured ? await findSubscriptionOfAccount(await getDb(), account.id) : undefined;
  const live =
    subscription && subscription.expiresAt > new Date() && subscription.lastLifecycleEvent !== 'subscriptionRemoved';
  return (
    <div>
      <dt className="text-slate-600">Push</dt>
      <dd data-testid="push-status">
        {!configured
          ? 'push not set up (needs a public https URL: GRAPH_NOTIFICATION_URL)'
          : live
            ? `push: active until ${formatDateTime(subscription.expiresAt)}`
            : 'push: not active yet; the next sync subscribes'}
        {live && subscription.lastNotificationAt ? (
          <p className="text-xs text-slate-600">Last notification {formatDateTime(subscription.lastNotificationAt)}</p>
        ) : null}
      </dd>
    </div>
  );
}
