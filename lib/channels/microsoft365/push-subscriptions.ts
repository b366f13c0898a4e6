import 'server-only';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { getEnv } from '@/lib/config/env';
import { acquireAccountAccess } from '@/lib/channels/microsoft365/tokens';
import {
  deleteSubscriptionOfAccount,
  findSubscriptionOfAccount,
  saveRenewal,
  saveSubscription,
} from '@/lib/db/queries/graph-subscriptions';
import type { Db } from '@/lib/db/types';
import { logger } from '@/lib/logger';
import { createGraphClient, type GraphClient } from '@/lib/microsoft/graph/client';
import { GraphFailure } from '@/lib/microsoft/graph/failure';
import { ExplainedFault } from '@/lib/microsoft/errors';
import type { GraphMailbox, SyncAccount } from '@/lib/sync/types';

/**
 * Outlook message subscriptions live at most 10,080 minutes
 * (https://learn.microsoft.com/en-us/graph/api/resources/subscription, "Subscription lifetime"); an hour is left
 * off for clocks that disagree, and the subscription is renewed once less than a day is left.
 */
const LIFETIME_MS = (10_080 - 60) * 60_000;
const RENEW_BEFORE_MS = 24 * 60 * 60_000;

// Graph refuses a subscription (400) when the URL fails its validation, after waiting up to 10 s for it: one
// mailbox's refusal holds off the others' attempts in this process for a while, not 10 s per mailbox per pass.
const REFUSED_PAUSE_MS = 15 * 60_000;
const refusedUntil = new Map<string, number>();

const subscriptionSchema = z.object({ id: z.string().min(1), expirationDateTime: z.string() });

/** The hash kept of a clientState: Graph echoes the secret with each notification, the database never holds it. */
export function hashClientState(clientState: string): string {
  return createHash('sha256').update(clientState, 'utf8').digest('hex');
}

/** Constant-time comparison of a notification's clientState with the stored hash. */
export function clientStateMatches(received: string | null | undefined, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256')
    .update(received ?? '', 'utf8')
    .digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Keeps the mailbox's Inbox subscription alive while its sync holds the lease (the token source may rotate a
 * refresh token, which only the lease holder may do): creates one when there is none, the URL changed or Graph
 * removed it; renews when less than a day is left or Graph asked for reauthorization. Without
 * GRAPH_NOTIFICATION_URL nothing happens. Failures are logged, never the sync's: polling goes on regardless.
 */
export async function keepPushSubscription(
  db: Db,
  account: SyncAccount,
  graph: GraphMailbox,
  options: { notificationUrl?: string; now?: () => Date } = {},
): Promise<void> {
  const notificationUrl = options.notificationUrl ?? getEnv().GRAPH_NOTIFICATION_URL;
  if (!notificationUrl || account.transport !== 'graph') return;
  const now = (options.now ?? (() => new Date()))();
  const client = createGraphClient({ baseUrl: graph.baseUrl, token: graph.token });
  const request = { mailbox: graph.mailbox };
  try {
    const existing = await findSubscriptionOfAccount(db, account.id);
    const usable =
      existing &&
      existing.notificationUrl === notificationUrl &&
      existing.lastLifecycleEvent !== 'subscriptionRemoved' &&
      existing.expiresAt.getTime() > now.getTime();
    if (existing && usable) {
      const due =
        existing.expiresAt.getTime() - now.getTime() < RENEW_BEFORE_MS ||
        existing.lastLifecycleEvent === 'reauthorizationRequired';
      if (!due) return;
      try {
        const renewed = await client.sendJson(
          'PATCH',
          `/subscriptions/${encodeURIComponent(existing.subscriptionId)}`,
          { expirationDateTime: new Date(now.getTime() + LIFETIME_MS).toISOString() },
          subscriptionSchema,
          request,
        );
        await saveRenewal(db, existing.subscriptionId, new Date(renewed.expirationDateTime));
        return;
      } catch (error) {
        // Graph no longer knows it (expired or removed meanwhile): a new one replaces it below.
        if (!subscriptionGone(error)) throw error;
      }
    }
    if ((refusedUntil.get(notificationUrl) ?? 0) > Date.now()) return;
    // One of another URL, or one Graph removed: ended at Graph (best effort) before its replacement exists, its row
    // with it, so a refused replacement leaves no row that names a subscription Graph no longer has.
    if (existing && !usable) await endSubscription(db, client, existing, graph.mailbox).catch(() => {});
    try {
      await createSubscription(db, client, account, graph.mailbox, notificationUrl, now);
    } catch (error) {
      if (error instanceof GraphFailure && error.details.status === 400)
        refusedUntil.set(notificationUrl, Date.now() + REFUSED_PAUSE_MS);
      throw error;
    }
  } catch (error) {
    logger('push').warn(
      { accountId: account.id, failure: failureName(error) },
      'keeping the Graph subscription failed; polling continues',
    );
  }
}

// Ending a subscription waits little: the admin's removal or disabling goes on whatever Graph answers.
const END_TIMEOUT_MS = 10_000;
const END_MAX_WAIT_MS = 5_000;

/**
 * Ends the mailbox's subscription at Graph when the mailbox is removed or disabled, so Graph stops posting for it
 * (DELETE /subscriptions/{id}, answered 204: https://learn.microsoft.com/en-us/graph/api/subscription-delete).
 * A 404 counts as done: Graph answers `ResourceNotFound` for one it no longer knows (expired, or removed by a
 * `subscriptionRemoved`; microsoftgraph/msgraph-sdk-php#221 shows the body). Then the row goes; on re-enabling, the
 * mailbox's next leased sync finds none and subscribes again. Any other failure is logged (the account and the
 * failure's name, never a token) and never blocks the caller; the row then stays, so a re-enabled mailbox renews or
 * replaces that subscription, and one left at Graph expires within its lifetime (its notifications only reach a
 * mailbox that is not active, which they do not sync). Must run before the mailbox's sign-in is wiped. Called from
 * an admin's action, which may refresh a delegated token as sending a test message does.
 */
export async function endPushSubscription(db: Db, accountId: string): Promise<void> {
  const existing = await findSubscriptionOfAccount(db, accountId);
  if (!existing) return;
  try {
    const access = await acquireAccountAccess(db, accountId);
    if (access.transport === 'graph') {
      const { mailbox, endpoints, token } = access.graph;
      const client = createGraphClient({
        baseUrl: endpoints.graphBaseUrl,
        token,
        maxRetries: 1,
        maxWaitMs: END_MAX_WAIT_MS,
        timeoutMs: END_TIMEOUT_MS,
      });
      await endSubscription(db, client, existing, mailbox);
    } else {
      await deleteSubscriptionOfAccount(db, accountId);
    }
  } catch (error) {
    logger('push').warn(
      { accountId, failure: failureName(error) },
      'ending the Graph subscription failed; it expires at Graph by itself',
    );
  }
}

/** DELETE at Graph, then the row; a 404 counts as done. Other failures are thrown with the row left in place. */
async function endSubscription(
  db: Db,
  client: GraphClient,
  subscription: { accountId: string; subscriptionId: string },
  mailbox: string,
): Promise<void> {
  try {
    await client.delete(`/subscriptions/${encodeURIComponent(subscription.subscriptionId)}`, { mailbox });
  } catch (error) {
    if (!subscriptionGone(error)) throw error;
  }
  await deleteSubscriptionOfAccount(db, subscription.accountId);
}

/** 404 from /subscriptions/{id}: Graph no longer has it (its code is ResourceNotFound, not a message's). */
function subscriptionGone(error: unknown): boolean {
  return error instanceof GraphFailure && error.details.status === 404;
}

/** What a log line may say about a failure: Graph's error code or the explained code, never its message. */
function failureName(error: unknown): string {
  if (error instanceof GraphFailure) return error.code;
  if (error instanceof ExplainedFault) return error.explained.code;
  return error instanceof Error ? error.name : 'unknown';
}

async function createSubscription(
  db: Db,
  client: GraphClient,
  account: SyncAccount,
  mailbox: string,
  notificationUrl: string,
  now: Date,
): Promise<void> {
  const clientState = randomBytes(32).toString('base64url');
  const resource = `users/${encodeURIComponent(mailbox)}/mailFolders('inbox')/messages`;
  const created = await client.sendJson(
    'POST',
    '/subscriptions',
    {
      changeType: 'created',
      resource,
      notificationUrl,
      lifecycleNotificationUrl: notificationUrl,
      expirationDateTime: new Date(now.getTime() + LIFETIME_MS).toISOString(),
      clientState,
    },
    subscriptionSchema,
    { mailbox },
  );
  await saveSubscription(db, {
    accountId: account.id,
    subscriptionId: created.id,
    clientStateHash: hashClientState(clientState),
    resource,
    notificationUrl,
    expiresAt: new Date(created.expirationDateTime),
  });
}
