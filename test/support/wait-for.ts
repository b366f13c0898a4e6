import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Probes every 100 ms until `done` holds, for up to `timeoutMs` (generous: the machine is shared and slow at
 * times); then throws naming what was awaited and the last value seen. No timing is asserted, only the outcome.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}; last saw ${JSON.stringify(value)}`);
    await sleep(100);
    value = await probe();
  }
  return value;
}
