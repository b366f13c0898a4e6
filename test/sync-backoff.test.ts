import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '@/lib/sync/backoff';

const MINUTE = 60_000;
const middle = () => 0.5; // no jitter
const lowest = () => 0;
const highest = () => 0.999999;

describe('backoffDelayMs', () => {
  it('doubles from one minute per consecutive failure', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, undefined, middle))).toEqual(
      [1, 2, 4, 8, 16, 32].map((m) => m * MINUTE),
    );
  });

  it('never waits more than an hour on its own', () => {
    expect(backoffDelayMs(7, undefined, middle)).toBe(60 * MINUTE);
    expect(backoffDelayMs(1_000, undefined, highest)).toBe(60 * MINUTE);
    expect(backoffDelayMs(Number.MAX_SAFE_INTEGER, undefined, middle)).toBe(60 * MINUTE);
  });

  it('spreads retries by at most 20% either way', () => {
    expect(backoffDelayMs(3, undefined, lowest)).toBe(0.8 * 4 * MINUTE);
    expect(backoffDelayMs(3, undefined, highest)).toBeCloseTo(1.2 * 4 * MINUTE, -2);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(2);
      expect(delay).toBeGreaterThanOrEqual(0.8 * 2 * MINUTE);
      expect(delay).toBeLessThanOrEqual(1.2 * 2 * MINUTE);
    }
  });

  it('keeps jitter below the one hour cap', () => {
    expect(backoffDelayMs(7, undefined, lowest)).toBe(48 * MINUTE);
    expect(backoffDelayMs(7, undefined, highest)).toBe(60 * MINUTE);
  });

  it('waits as long as Microsoft suggested when that is longer', () => {
    expect(backoffDelayMs(1, 299_961, middle)).toBe(299_961);
    expect(backoffDelayMs(1, 90 * MINUTE, middle)).toBe(90 * MINUTE);
  });

  it('ignores a suggestion shorter than its own delay', () => {
    expect(backoffDelayMs(4, 5_000, middle)).toBe(8 * MINUTE);
  });

  it('caps an absurd suggestion at a day', () => {
    expect(backoffDelayMs(1, 30 * 24 * 60 * MINUTE, middle)).toBe(24 * 60 * MINUTE);
  });

  it('does not back off without failures unless asked to', () => {
    expect(backoffDelayMs(0, undefined, middle)).toBe(0);
    expect(backoffDelayMs(-3, undefined, middle)).toBe(0);
    expect(backoffDelayMs(0, 10_000, middle)).toBe(10_000);
  });

  it('treats nonsense inputs as safe values', () => {
    expect(backoffDelayMs(Number.NaN, undefined, middle)).toBe(MINUTE);
    expect(backoffDelayMs(1, Number.NaN, middle)).toBe(MINUTE);
    expect(backoffDelayMs(1, -5, middle)).toBe(MINUTE);
    expect(backoffDelayMs(1, undefined, () => 7)).toBe(1.2 * MINUTE);
  });
});
