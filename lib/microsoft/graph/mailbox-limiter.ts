/**
 * At most N requests in flight per mailbox. Outlook resources allow an app four concurrent requests to one
 * mailbox (https://learn.microsoft.com/en-us/graph/throttling-limits, "Outlook service limits": 4 concurrent
 * requests, 10,000 requests per 10 minutes, per app ID and mailbox); a fifth answers 429 "Application is over its
 * MailboxConcurrency limit".
 */
export const OUTLOOK_CONCURRENT_REQUESTS = 4;

export class MailboxLimiter {
  private readonly slots = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(private readonly limit = OUTLOOK_CONCURRENT_REQUESTS) {}

  async run<T>(mailbox: string, task: () => Promise<T>): Promise<T> {
    const key = mailbox.toLowerCase();
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { active: 0, waiting: [] }));
    if (slot.active >= this.limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.active += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter; only an idle mailbox gives it back.
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.active === 0) this.slots.delete(key);
    }
  }
}
