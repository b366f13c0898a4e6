import 'server-only';
import { keepSignInsAlive } from '@/lib/channels/microsoft365/keep-sign-ins-alive';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import type { Db } from '@/lib/db/types';
import { logger } from '@/lib/logger';
import { runSync } from '@/lib/sync/run';

// The first pass waits a little, so a starting console serves its first pages before it syncs.
const FIRST_PASS_DELAY_MS = 5_000;
// Like a button-started sync: a long first sync continues in the next pass, from its watermark.
const PASS_BUDGET_MS = 240_000;

export interface SyncSchedule {
  stop(): void;
}

/**
 * The embedded console's own scheduler: nothing else may open its database, so no cron or worker can sync it.
 * One pass at a time; the next starts `intervalMs` after the previous one ended. The timer never keeps the
 * process alive on its own.
 */
export function startSyncSchedule(
  intervalMs: number,
  runPass: () => Promise<unknown>,
  firstDelayMs = Math.min(intervalMs, FIRST_PASS_DELAY_MS),
): SyncSchedule {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await runPass();
      } catch (error) {
        logger('schedule').error({ err: error }, 'scheduled sync pass failed');
      }
      schedule(intervalMs);
    }, delay);
    timer.unref();
  };
  schedule(firstDelayMs);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * A scheduled pass over every due mailbox, as the cron route would run it. `signal` ends it early (the console
 * stopping): no more mailboxes are leased and the batches in flight finish.
 */
export async function scheduledSyncPass(db: Db, options: { owner?: string; signal?: AbortSignal } = {}): Promise<void> {
  const report = await runSync(productSyncDeps(db, { budgetMs: PASS_BUDGET_MS, ...options }), {
    trigger: 'schedule',
  });
  if (options.signal?.aborted) return;
  await keepSignInsAlive(db).catch((error: unknown) =>
    logger('schedule').error({ err: error }, 'renewing idle sign-ins failed'),
  );
  if (report.accounts.length > 0) {
    const failed = report.accounts.filter((account) => account.outcome === 'failed').length;
    logger('schedule').info({ accounts: report.accounts.length, failed }, 'scheduled sync pass finished');
  }
}
