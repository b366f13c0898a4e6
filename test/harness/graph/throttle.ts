/**
 * A switch the tests flip to make Graph throttle: the next `count` requests answer 429 with `Retry-After`
 * (https://learn.microsoft.com/en-us/graph/throttling: "429 Too Many Requests" and a Retry-After header in seconds;
 * the Outlook service limits are not reproduced, Microsoft publishes them but a test needs a deterministic storm).
 * The body is the one mail endpoints give: code `ApplicationThrottled`, "Application is over its MailboxConcurrency
 * limit." (magodo/terraform-provider-outlook#21, alcionai/corso#3695; the throttling page shows no Outlook body).
 *
 * `storm` spreads the refusals over a whole sync instead: every n-th request is refused, 429 and 503 in turn, until
 * `count` were. A 503 is Graph's "service is temporarily unavailable … may be repeated after a delay, the length of
 * which may be specified in a Retry-After header", code `serviceNotAvailable`
 * (https://learn.microsoft.com/en-us/graph/errors). Each refused request is remembered with the time it may come
 * back; the same request back sooner is counted in `early` (and refused again, as a throttled service would).
 * `arm` keeps the plain behaviour: the next N requests, whichever they are.
 */
import { createHash } from 'node:crypto';
import { GraphError } from './errors';

export interface ThrottledRequest {
  method: string;
  url: string;
  body?: Buffer;
}

export class ThrottleSwitch {
  private remaining = 0;
  private retryAfterSeconds = 1;
  private every = 1;
  private seen = 0;
  private storming = false;
  private readonly notBefore = new Map<string, number>();
  /** Requests refused since the switch was last armed. */
  refused = 0;
  /** Refused requests sent again before their Retry-After had passed. */
  early = 0;

  /** The next `count` requests (batch sub-requests count one each) answer 429. */
  arm(count: number, retryAfterSeconds = 1): void {
    this.reset(count, retryAfterSeconds, 1, false);
  }

  /** Every `every`-th request answers 429, then 503, in turn, each with Retry-After, until `count` were refused. */
  storm(options: { count: number; every: number; retryAfterSeconds: number }): void {
    this.reset(options.count, options.retryAfterSeconds, options.every, true);
  }

  off(): void {
    this.remaining = 0;
    this.storming = false;
    this.notBefore.clear();
  }

  /** Throws the 429 (or 503) while armed. */
  take(request?: ThrottledRequest): void {
    const key = this.storming && request ? requestKey(request) : undefined;
    const allowedAt = key === undefined ? undefined : this.notBefore.get(key);
    if (key !== undefined && allowedAt !== undefined) {
      if (Date.now() < allowedAt) {
        this.early += 1;
        throw this.refusal(429);
      }
      this.notBefore.delete(key);
    }
    if (this.remaining <= 0) return;
    this.seen += 1;
    if (this.seen % this.every !== 0) return;
    this.remaining -= 1;
    this.refused += 1;
    if (key !== undefined) this.notBefore.set(key, Date.now() + this.retryAfterSeconds * 1000);
    throw this.refusal(this.storming && this.refused % 2 === 0 ? 503 : 429);
  }

  private reset(count: number, retryAfterSeconds: number, every: number, storming: boolean): void {
    Object.assign(this, { remaining: count, retryAfterSeconds, every, storming, seen: 0, refused: 0, early: 0 });
    this.notBefore.clear();
  }

  private refusal(status: 429 | 503): GraphError {
    const headers = { 'retry-after': String(this.retryAfterSeconds) };
    return status === 429
      ? new GraphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', headers)
      : new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable.', headers);
  }
}

/** The same request sent again: method, URL and (for a POST such as $batch) its body. */
function requestKey(request: ThrottledRequest): string {
  const body = request.body?.length ? createHash('sha256').update(request.body).digest('hex') : '';
  return `${request.method} ${request.url} ${body}`;
}
