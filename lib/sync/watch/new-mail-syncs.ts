import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '@/lib/logger';
import { runSync } from '@/lib/sync/run';
import type { AccountSyncReport, SyncDeps } from '@/lib/sync/types';
import { Slots } from '@/lib/slots';

export interface NewMailSyncOptions {
  deps(): SyncDeps;
  signal: AbortSignal;
  /** Pause before asking again for a mailbox another sync holds. */
  retryMs?: number;
  /** How long to keep asking (a long first sync can hold the lease); the polled pass picks up what is left. */
  retryForMs?: number;
  onSynced?(report: AccountSyncReport): void;
  /** Syncs at once (SYNC_CONCURRENCY); the others queue. */
  concurrency?: number;
}

/**
 * Syncs a watched mailbox as soon as new mail is announced, through the same leased path as every other sync
 * (so a message is stored once, whoever syncs). Announcements during a sync coalesce into one more sync after
 * it; when another worker or pass holds the mailbox's lease, its sync may have started before the new mail, so
 * the request is repeated until a sync of our own has run.
 */
export class NewMailSyncs {
  private readonly pending = new Map<string, { again: boolean; done: Promise<void> }>();
  private readonly slots: Slots;

  constructor(private readonly options: NewMailSyncOptions) {
    this.slots = new Slots(Math.max(1, options.concurrency ?? 4));
  }

  request(accountId: string): void {
    const entry = this.pending.get(accountId);
    if (entry) {
      entry.again = true;
      return;
    }
    const fresh = { again: true, done: Promise.resolve() };
    this.pending.set(accountId, fresh);
    fresh.done = this.run(accountId, fresh).finally(() => this.pending.delete(accountId));
  }

  /** Resolves when every sync started so far has ended. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending.values()].map((entry) => entry.done));
  }

  private async run(accountId: string, entry: { again: boolean }): Promise<void> {
    const { signal } = this.options;
    const retryMs = this.options.retryMs ?? 2_000;
    const giveUpAt = Date.now() + (this.options.retryForMs ?? 5 * 60_000);
    while (entry.again && !signal.aborted) {
      entry.again = false;
      let report;
      try {
        report = await runSync(
          { ...this.options.deps(), concurrency: 1 },
          { trigger: 'watch', accountIds: [accountId] },
        );
      } catch (error) {
        // The database is down: the polled pass (or the next announcement) tries again.
        logger('watch').warn({ err: error, accountId }, 'sync after new mail failed to start');
        return;
      }
      const [synced] = report.accounts;
      if (synced) {
        this.options.onSynced?.(synced);
        // A failed sync waits for its backoff in the polled pass rather than being hammered on every new mail.
        if (synced.outcome === 'failed') return;
        continue;
      }
      if (Date.now() >= giveUpAt) return;
      entry.again = true;
      await sleep(retryMs, undefined, { signal }).catch(() => {});
    }
  }
}
