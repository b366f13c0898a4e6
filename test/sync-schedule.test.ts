import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { startSyncSchedule } from '@/lib/channels/microsoft365/sync-schedule';

process.env.LOG_LEVEL = 'silent';
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("the embedded console's own sync schedule", () => {
  it('runs a pass soon after start, then one interval after each pass ends, never two at once', async () => {
    const passes: number[] = [];
    let running = 0;
    let finishPass: () => void = () => undefined;
    const schedule = startSyncSchedule(300_000, async () => {
      running += 1;
      expect(running).toBe(1);
      passes.push(Date.now());
      await new Promise<void>((resolve) => (finishPass = resolve));
      running -= 1;
    });
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(passes).toEqual([start + 5_000]);

    // A pass that takes 10 minutes delays the next one instead of overlapping it.
    await vi.advanceTimersByTimeAsync(600_000);
    expect(passes).toHaveLength(1);
    finishPass();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(passes).toEqual([start + 5_000, start + 905_000]);

    schedule.stop();
    finishPass();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(passes).toHaveLength(2);
  });

  it('keeps its rhythm after a pass that throws', async () => {
    let calls = 0;
    const schedule = startSyncSchedule(60_000, async () => {
      calls += 1;
      throw new Error('database gone for a moment');
    });
    await vi.advanceTimersByTimeAsync(5_000 + 60_000 * 2);
    expect(calls).toBe(3);
    schedule.stop();
  });
});
