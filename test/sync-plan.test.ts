import { describe, expect, it } from 'vitest';
import { planBatches, uidSet, type MessageMeta } from '@/lib/sync/fetch-plan';
import { MAX_CONSECUTIVE_FAILURES, updateAfterFailure, updateAfterSuccess } from '@/lib/sync/failures';
import type { SyncAccount, SyncFailure } from '@/lib/sync/types';

const meta = (uid: number, size: number): MessageMeta => ({ uid, size, flags: [], internalDate: new Date(0) });
const limits = { batchMessages: 3, batchBytes: 1_000, maxMessageBytes: 5_000 };

describe('planBatches', () => {
  it('cuts by message count and by bytes, and gives a large message its own batch', () => {
    const batches = planBatches(
      [meta(1, 100), meta(2, 100), meta(3, 100), meta(4, 100), meta(5, 950), meta(6, 2_000), meta(7, 10)],
      limits,
    );
    expect(batches.map((b) => b.items.map((i) => i.meta.uid))).toEqual([[1, 2, 3], [4], [5], [6], [7]]);
    expect(batches.map((b) => b.lastUid)).toEqual([3, 4, 5, 6, 7]);
  });

  it('fetches only the headers of a message over the limit, without it costing batch bytes', () => {
    const [batch] = planBatches([meta(1, 100), meta(2, 9_000_000), meta(3, 100)], limits);
    expect(batch?.items.map((i) => [i.meta.uid, i.headersOnly])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(batch?.bytes).toBe(200);
  });
  it('ramps batch sizes up from rampBytes and back down towards the end of a window', () => {
    const metas = Array.from({ length: 64 }, (_, i) => meta(i + 1, 100)); // 6,400 bytes
    const ramped = planBatches(metas, {
      batchMessages: 1_000,
      batchBytes: 1_600,
      maxMessageBytes: 5_000,
      rampBytes: 200,
    });
    expect(ramped.map((b) => b.bytes)).toEqual([200, 400, 800, 1_600, 1_600, 900, 400, 200, 200, 100]);
    expect(ramped.flatMap((b) => b.items.map((i) => i.meta.uid))).toEqual(metas.map((m) => m.uid));
    const flat = planBatches(metas, { batchMessages: 1_000, batchBytes: 1_600, maxMessageBytes: 5_000 });
    expect(flat.map((b) => b.bytes)).toEqual([1_600, 1_600, 1_600, 1_600]);
  });
});

describe('uidSet', () => {
  it('compresses runs into ranges', () => {
    expect(uidSet([1, 2, 3, 5, 7, 8, 10])).toBe('1:3,5,7:8,10');
    expect(uidSet([42])).toBe('42');
  });
});

describe('account outcome', () => {
  const account = { status: 'active', consecutiveFailures: 0 } as SyncAccount;
  const now = new Date('2026-01-01T00:00:00Z');
  const failure = (scope: SyncFailure['scope'], retryAfterMs?: number): SyncFailure => ({
    code: 'x',
    message: 'm',
    scope,
    retryAfterMs,
  });
  const middle = () => 0.5;

  it('backs off 1, 2, 4 ... minutes and honours a longer suggested wait', () => {
    expect(updateAfterFailure(account, failure('transient'), now, middle).nextAttemptAt).toEqual(
      new Date(now.getTime() + 60_000),
    );
    expect(
      updateAfterFailure({ ...account, consecutiveFailures: 2 }, failure('transient'), now, middle).nextAttemptAt,
    ).toEqual(new Date(now.getTime() + 240_000));
    expect(updateAfterFailure(account, failure('transient', 600_000), now, middle).nextAttemptAt).toEqual(
      new Date(now.getTime() + 600_000),
    );
  });

  it('needs re-authentication for account-level failures, never turns app-level ones into error', () => {
    expect(updateAfterFailure(account, failure('account'), now).status).toBe('needs_reauth');
    const many = { ...account, consecutiveFailures: MAX_CONSECUTIVE_FAILURES + 5 };
    expect(updateAfterFailure(many, failure('app'), now).status).toBe('active');
    expect(updateAfterFailure(many, failure('transient'), now).status).toBe('error');
    expect(
      updateAfterFailure({ ...account, consecutiveFailures: MAX_CONSECUTIVE_FAILURES - 2 }, failure('config'), now)
        .status,
    ).toBe('active');
  });

  it('resets failures on success; a run stopped by its budget is due again at once', () => {
    expect(updateAfterSuccess('success', now, 60_000)).toMatchObject({
      consecutiveFailures: 0,
      lastError: null,
      nextAttemptAt: new Date(now.getTime() + 60_000),
    });
    expect(updateAfterSuccess('partial', now, 60_000).nextAttemptAt).toEqual(now);
  });
});
