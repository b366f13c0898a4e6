/**
 * At most N requests in flight per mailbox. Outlook resources allow an app four concurrent requests to one
 * mailbox (https://learn.microsoft.com/en-us/graph/throttling-limits, "Outlook service limits": 4 concurrent
 * requests, 10,000 requests per 10 minutes, per app ID and mailbox); a fifth answers 429 "Application is over its
 * MailboxConcurrency limit".
 */
import { Slots } from '@/lib/slots';

export const OUTLOOK_CONCURRENT_REQUESTS = 4;

export class MailboxLimiter {
  private readonly mailboxes = new Map<string, { slots: Slots; users: number }>();

  constructor(private readonly limit = OUTLOOK_CONCURRENT_REQUESTS) {}

  async run<T>(mailbox: string, task: () => Promise<T>): Promise<T> {
    const key = mailbox.toLowerCase();
    const entry = this.mailboxes.get(key) ?? { slots: new Slots(this.limit), users: 0 };
    this.mailboxes.set(key, entry);
    entry.users += 1;
    try {
      return await entry.slots.run(task);
    } finally {
      // A mailbox nobody is waiting on is forgotten, so a long-lived client does not grow with every mailbox.
      if (--entry.users === 0) this.mailboxes.delete(key);
    }
  }
}
