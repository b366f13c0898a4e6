/**
 * Change-notification subscriptions on a mailbox's Inbox (`users/{id}/mailFolders('inbox')/messages`, changeType
 * `created`), delivered over webhooks as Graph does:
 * - creation validates the notificationUrl (and lifecycleNotificationUrl) first: a POST with `?validationToken=…`
 *   that must be answered 200, text/plain, echoing the token, within 10 seconds, else the creation fails 400
 *   (https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks, "Notification endpoint
 *   validation");
 * - expirationDateTime at most 10,080 minutes ahead for Outlook messages, refused beyond
 *   (https://learn.microsoft.com/en-us/graph/api/resources/subscription, "Subscription lifetime");
 * - a new message in the Inbox (the maildir is polled) is posted as a changeNotification to the notificationUrl,
 *   which must answer 202; other answers are retried a few times with backoff (Graph retries for hours; the
 *   stand-in compresses that into seconds);
 * - DELETE /subscriptions/{id} ends it and answers 204 No Content, after which Graph posts nothing more for it
 *   (https://learn.microsoft.com/en-us/graph/api/subscription-delete); one Graph does not know (never made, expired,
 *   deleted, removed) answers 404 `ResourceNotFound` "The object was not found." (the body a client met for a DELETE,
 *   microsoftgraph/msgraph-sdk-php#221);
 * - only the app that created a subscription can see, renew or delete it (404 otherwise: stricter where the docs
 *   are silent).
 * Lifecycle notifications (https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events) are sent
 * on demand by the harness through `sendLifecycle`.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorState } from '../emulator/state';
import { GraphError } from './errors';
import type { MailStore } from './mail-store';
import { authorizeMailbox, resolveMailbox } from './mailbox-access';
import type { Principal } from './principal';
import { json, type GraphRequest, type GraphResponse } from './types';

export const MAX_MESSAGE_SUBSCRIPTION_MINUTES = 10_080;
const VALIDATION_TIMEOUT_MS = 10_000;
const POLL_MS = 150;
const RETRY_DELAYS_MS = [300, 1_000, 3_000];
const CLIENT_STATE_MAX = 128;
const RESOURCE = /^\/?users\/([^/]+)\/mailFolders\('inbox'\)\/messages$/i;

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

interface Subscription {
  id: string;
  clientId: string;
  tenantId: string;
  mailbox: string;
  userOid: string;
  resource: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expiresAt: number;
  /** Inbox message ids already seen: anything else is an arrival. */
  known: Set<string>;
}

/** One delivery the stand-in made: tests assert on what the endpoint answered. */
export interface NotificationDelivery {
  subscriptionId: string;
  kind: 'change' | LifecycleEvent;
  statuses: number[];
}

export class Subscriptions {
  private readonly subscriptions = new Map<string, Subscription>();
  readonly deliveries: NotificationDelivery[] = [];
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly state: EmulatorState,
    private readonly store: MailStore,
  ) {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Harness control: ends every subscription without notifying anyone, once their endpoint is gone. */
  clear(): void {
    this.subscriptions.clear();
  }

  /** The live subscriptions, as a test inspects them (the clientState included: the stand-in is Graph's side). */
  list(): Array<{ id: string; mailbox: string; expirationDateTime: string; clientState: string | null }> {
    return [...this.subscriptions.values()].map((s) => ({
      id: s.id,
      mailbox: s.mailbox,
      expirationDateTime: new Date(s.expiresAt).toISOString(),
      clientState: s.clientState,
    }));
  }

  async route(principal: Principal, request: GraphRequest, path: string): Promise<GraphResponse | undefined> {
    if (path === '/v1.0/subscriptions' && request.method === 'POST') return this.create(principal, request);
    const match = /^\/v1\.0\/subscriptions\/([^/]+)$/.exec(path);
    if (!match) return undefined;
    const subscription = this.owned(principal, decodeURIComponent(match[1] ?? ''));
    if (request.method === 'GET') return json(200, this.view(subscription));
    if (request.method === 'PATCH') {
      const body = parseBody(request);
      subscription.expiresAt = this.expiry(body.expirationDateTime);
      return json(200, this.view(subscription));
    }
    if (request.method === 'DELETE') {
      this.subscriptions.delete(subscription.id);
      return { status: 204, headers: {} };
    }
    return undefined;
  }

  /** https://learn.microsoft.com/en-us/graph/api/subscription-post-subscriptions */
  private async create(principal: Principal, request: GraphRequest): Promise<GraphResponse> {
    const body = parseBody(request);
    const resource = typeof body.resource === 'string' ? body.resource : '';
    const match = RESOURCE.exec(resource);
    if (!match) throw badRequest(`The stand-in supports only users/{id}/mailFolders('inbox')/messages: '${resource}'.`);
    if (body.changeType !== 'created') throw badRequest('The stand-in supports only changeType created.');
    const clientState = typeof body.clientState === 'string' ? body.clientState : null;
    if (clientState !== null && clientState.length > CLIENT_STATE_MAX)
      throw badRequest(`clientState is limited to ${CLIENT_STATE_MAX} characters.`);
    const notificationUrl = httpUrl(body.notificationUrl, 'notificationUrl');
    const lifecycleNotificationUrl =
      body.lifecycleNotificationUrl === undefined
        ? null
        : httpUrl(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const expiresAt = this.expiry(body.expirationDateTime);
    const mailbox = resolveMailbox(this.state, principal, match[1] ?? '');
    authorizeMailbox(this.state, principal, mailbox, 'read');
    // Both endpoints are validated before the subscription exists (delivery-webhooks page, and the lifecycle page:
    // "If you're using the webhooks delivery channel, you must validate both endpoints").
    for (const url of [notificationUrl, lifecycleNotificationUrl]) if (url) await validateEndpoint(url);
    const known = new Set((await this.store.list(mailbox.address, 'INBOX')).map((m) => m.id));
    const subscription: Subscription = {
      id: randomUUID(),
      clientId: principal.clientId,
      tenantId: mailbox.tenantId,
      mailbox: mailbox.address,
      userOid: mailbox.oid,
      resource,
      notificationUrl,
      lifecycleNotificationUrl,
      clientState,
      expiresAt,
      known,
    };
    this.subscriptions.set(subscription.id, subscription);
    return json(201, this.view(subscription));
  }

  /** A lifecycle notification, as Graph would send it; subscriptionRemoved also ends the subscription. */
  async sendLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<number[]> {
    const subscription = this.subscriptions.get(subscriptionId);
    if (!subscription?.lifecycleNotificationUrl) throw new Error(`no lifecycle URL for ${subscriptionId}`);
    if (event === 'subscriptionRemoved') this.subscriptions.delete(subscriptionId);
    return this.deliver(subscription, subscription.lifecycleNotificationUrl, event, {
      subscriptionId,
      subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
      tenantId: subscription.tenantId,
      clientState: subscription.clientState,
      lifecycleEvent: event,
    });
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const subscription of [...this.subscriptions.values()]) {
        if (subscription.expiresAt <= this.state.now()) {
          this.subscriptions.delete(subscription.id);
          continue;
        }
        const messages = await this.store.list(subscription.mailbox, 'INBOX').catch(() => []);
        for (const message of messages) {
          if (subscription.known.has(message.id)) continue;
          subscription.known.add(message.id);
          const resource = `Users/${subscription.userOid}/Messages/${message.id}`;
          void this.deliver(subscription, subscription.notificationUrl, 'change', {
            subscriptionId: subscription.id,
            subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
            changeType: 'created',
            resource,
            resourceData: { '@odata.type': '#Microsoft.Graph.Message', '@odata.id': resource, id: message.id },
            clientState: subscription.clientState,
            tenantId: subscription.tenantId,
          });
        }
      }
    } finally {
      this.polling = false;
    }
  }

  /** POSTs `{ value: [item] }`; anything but 202 is retried after a pause, a few times. */
  private async deliver(
    subscription: Subscription,
    url: string,
    kind: NotificationDelivery['kind'],
    item: Record<string, unknown>,
  ): Promise<number[]> {
    const delivery: NotificationDelivery = { subscriptionId: subscription.id, kind, statuses: [] };
    this.deliveries.push(delivery);
    for (let attempt = 0; ; attempt += 1) {
      const status = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: [item] }),
        signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS),
      }).then(
        async (response) => {
          await response.arrayBuffer().catch(() => undefined);
          return response.status;
        },
        () => 0,
      );
      delivery.statuses.push(status);
      const delay = RETRY_DELAYS_MS[attempt];
      if (status === 202 || delay === undefined) return delivery.statuses;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private owned(principal: Principal, id: string): Subscription {
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.clientId !== principal.clientId)
      throw new GraphError(404, 'ResourceNotFound', 'The object was not found.');
    return subscription;
  }

  private expiry(value: unknown): number {
    const at = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(at)) throw badRequest('expirationDateTime is required.');
    const now = this.state.now();
    if (at <= now) throw badRequest('Subscription expiration must be in the future.');
    if (at > now + MAX_MESSAGE_SUBSCRIPTION_MINUTES * 60_000)
      throw badRequest(
        `Subscription expiration can only be ${MAX_MESSAGE_SUBSCRIPTION_MINUTES} minutes in the future.`,
      );
    return at;
  }

  private view(s: Subscription): Record<string, unknown> {
    return {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity',
      id: s.id,
      resource: s.resource,
      applicationId: s.clientId,
      changeType: 'created',
      clientState: s.clientState,
      notificationUrl: s.notificationUrl,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl,
      expirationDateTime: new Date(s.expiresAt).toISOString(),
      includeResourceData: false,
      latestSupportedTlsVersion: 'v1_2',
    };
  }
}

/** The validation request; a wrong echo, status, content type or a timeout fails the creation with 400. */
async function validateEndpoint(url: string): Promise<void> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = new URL(url);
  target.searchParams.set('validationToken', token);
  const ok = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS),
  }).then(
    async (response) =>
      response.status === 200 &&
      (response.headers.get('content-type') ?? '').startsWith('text/plain') &&
      (await response.text()) === token,
    () => false,
  );
  if (!ok)
    throw badRequest(
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
}

function parseBody(request: GraphRequest): Record<string, unknown> {
  try {
    const body = JSON.parse(request.body.toString('utf8')) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // falls through to the 400
  }
  throw badRequest('The request body is not a JSON object.');
}

/** Graph requires https; the stand-in also takes http on loopback, where the tests' endpoints listen. */
function httpUrl(value: unknown, name: string): string {
  if (typeof value === 'string' && /^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/])/i.test(value))
    return value;
  throw badRequest(`${name} must be an https URL.`);
}

const badRequest = (message: string) => new GraphError(400, 'ValidationError', message);
