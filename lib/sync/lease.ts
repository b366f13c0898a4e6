import 'server-only';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '@/lib/db/types';
import { renewLease } from '@/lib/db/queries/sync-leases';
import { transaction } from '@/lib/db/transaction';
import { logger } from '@/lib/logger';

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  readonly code = 'sync.lease_lost';
  constructor(accountId: string) {
    super(`The lease on account ${accountId} expired and another worker took it over.`);
  }
}

export function defaultLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Keeps an account's lease alive while a long sync runs: renewed every third of its lifetime, so one slow
 * renewal does not lose it. When a renewal finds the lease gone (this process stalled past expiry and another
 * worker took over), `signal` aborts and the sync stops; every batch transaction also re-checks the lease.
 */
export class LeaseKeeper {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    readonly accountId: string,
    readonly owner: string,
    readonly leaseMs: number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): boolean {
    return this.controller.signal.aborted;
  }

  start(): this {
    this.timer = setInterval(
      () => {
        this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
      },
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.renewing;
  }

  /** Throws when the lease is gone, so work stops before writing anything. */
  assertHeld(): void {
    if (this.lost) throw new LeaseLostError(this.accountId);
  }

  markLost(): void {
    if (!this.lost) this.controller.abort(new LeaseLostError(this.accountId));
  }

  private async renew(): Promise<void> {
    try {
      if (!(await renewLease(this.db, this.accountId, this.owner, this.leaseMs))) this.markLost();
    } catch (error) {
      // A database hiccup is not a lost lease; the next renewal or the batch transaction will tell.
      logger('sync').warn({ err: error, accountId: this.accountId }, 'lease renewal failed');
    }
  }
}

/**
 * Runs `work` in a transaction that then re-checks and extends the lease: a worker whose lease expired (and was
 * taken over) cannot commit, whatever it still believes. The check comes last, so the lease row is locked only
 * from then to the commit: taken first, it would serialize every transaction of the account behind the open one.
 */
export async function inLeasedTransaction<T>(db: Db, lease: LeaseKeeper, work: (tx: Tx) => Promise<T>): Promise<T> {
  lease.assertHeld();
  try {
    return await transaction(db, async (tx) => {
      const result = await work(tx);
      if (!(await renewLease(tx, lease.accountId, lease.owner, lease.leaseMs)))
        throw new LeaseLostError(lease.accountId);
      return result;
    });
  } catch (error) {
    if (error instanceof LeaseLostError) lease.markLost();
    throw error;
  }
}
