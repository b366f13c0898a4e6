/** Deterministic randomness for generated mail: the same seed gives the same mailbox on every machine. */

/** mulberry32: tiny, fast and good enough for test data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function between(rand: () => number, min: number, max: number): number {
  return Math.floor(min + rand() * (max - min));
}
