import 'server-only';
import { z } from 'zod';
import { clientStateMatches } from '@/lib/channels/microsoft365/push-subscriptions';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import {
  findSubscriptionById,
  markAccountDueNow,
  recordLifecycleEvent,
  recordNotification,
} from '@/lib/db/queries/graph-subscriptions';
import type { Db } from '@/lib/db/types';
import { logger } from '@/lib/logger';
import { runSync } from '@/lib/sync/run';

// A pushed sync runs after the 202, within the route's maxDuration; what is left resumes on the next pass.
const PUSH_BUDGET_MS = 240_000;
// A mailbox leased by another pass: tried again this often, this many times (about a minute in all).
const LEASED_RETRIES = 6;
const LEASED_PAUSE_MS = 10_000;
const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;

/**
 * A changeNotificationCollection (https://learn.microsoft.com/en-us/graph/api/resources/changenotificationcollection):
 * change notifications carry changeType and resource, lifecycle ones lifecycleEvent
 * (https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events). Only what is used is read.
 */
export const notificationCollectionSchema = z.object({
  value: z
    .array(
      z.object({
        subscriptionId: z.string().min(1).max(200),
        clientState: z.string().max(1024).nullish(),
        changeType: z.string().max(100).optional(),
        lifecycleEvent: z.string().max(100).optional(),
      }),
    )
    .max(1000),
});

type Notification = z.infer<typeof notificationCollectionSchema>['value'][number];

/**
 * Acts on the notifications whose subscription is ours and whose clientState matches its stored hash; the others
 * are ignored without a word (the caller answers 202 all the same, so a prober learns nothing). Each genuine one
 * makes its mailbox due now. Lifecycle events are recorded for the mailbox's next sync, which holds the lease the
 * token source needs: reauthorizationRequired → it renews, subscriptionRemoved → it subscribes again, missed → it
 * simply runs (the delta link catches up). Returns the mailboxes to sync.
 */
export async function acceptGraphNotifications(db: Db, notifications: Notification[]): Promise<string[]> {
  const accountIds = new Set<string>();
  let ignored = 0;
  for (const notification of notifications) {
    const subscription = await findSubscriptionById(db, notification.subscriptionId);
    if (!subscription || !clientStateMatches(notification.clientState, subscription.clientStateHash)) {
      ignored += 1;
      continue;
    }
    const event = LIFECYCLE_EVENTS.find((name) => name === notification.lifecycleEvent);
    if (event) await recordLifecycleEvent(db, subscription.subscriptionId, event);
    else if (notification.changeType === 'created') await recordNotification(db, subscription.subscriptionId);
    else continue;
    if (await markAccountDueNow(db, subscription.accountId)) accountIds.add(subscription.accountId);
  }
  if (ignored > 0)
    logger('push').warn({ ignored }, 'ignored Graph notifications for unknown subscriptions or clientState');
  return [...accountIds];
}

/**
 * The normal leased sync of the pushed mailboxes. One another pass holds is tried again a few times: that pass may
 * have read its delta before the new mail, and its finish moves the mailbox's next attempt past the "due now".
 */
export async function syncPushedMailboxes(
  db: Db,
  accountIds: string[],
  options: { retries?: number; pauseMs?: number } = {},
): Promise<void> {
  let waiting = accountIds;
  try {
    for (let attempt = 0; ; attempt += 1) {
      const report = await runSync(productSyncDeps(db, { budgetMs: PUSH_BUDGET_MS }), {
        accountIds: waiting,
        trigger: 'push',
      });
      const synced = new Set(report.accounts.map((account) => account.accountId));
      waiting = waiting.filter((id) => !synced.has(id));
      if (waiting.length === 0 || attempt >= (options.retries ?? LEASED_RETRIES)) return;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? LEASED_PAUSE_MS));
    }
  } catch (error) {
    logger('push').error({ err: error }, 'sync after a Graph notification failed');
  }
}
