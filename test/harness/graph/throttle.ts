/**
 * A switch the tests flip to make Graph throttle: the next `count` requests answer 429 with `Retry-After`
 * (https://learn.microsoft.com/en-us/graph/throttling: "429 Too Many Requests" and a Retry-After header in seconds;
 * the Outlook service limits are not reproduced, Microsoft publishes them but a test needs a deterministic storm).
 * The body is the one mail endpoints give: code `ApplicationThrottled`, "Application is over its MailboxConcurrency
 * limit." (magodo/terraform-provider-outlook#21, alcionai/corso#3695; the throttling page shows no Outlook body).
 */
import { GraphError } from './errors';

export class ThrottleSwitch {
  private remaining = 0;
  private retryAfterSeconds = 1;

  /** The next `count` requests (batch sub-requests count one each) answer 429. */
  arm(count: number, retryAfterSeconds = 1): void {
    this.remaining = count;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  off(): void {
    this.remaining = 0;
  }

  /** Throws the 429 while armed. */
  take(): void {
    if (this.remaining <= 0) return;
    this.remaining -= 1;
    throw new GraphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
      'retry-after': String(this.retryAfterSeconds),
    });
  }
}
