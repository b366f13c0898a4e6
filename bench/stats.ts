/** Min/median of repeated timings and the rates they give. */
export interface Summary {
  runsMs: number[];
  minMs: number;
  medianMs: number;
  /** At the median. */
  msgPerSec: number;
  mbPerSec: number;
  bestMsgPerSec: number;
}

export function summarize(runsMs: number[], messages: number, bytes: number): Summary {
  const sorted = [...runsMs].sort((a, b) => a - b);
  const minMs = sorted[0] ?? NaN;
  const medianMs =
    sorted.length % 2
      ? (sorted[(sorted.length - 1) / 2] ?? NaN)
      : ((sorted[sorted.length / 2 - 1] ?? NaN) + (sorted[sorted.length / 2] ?? NaN)) / 2;
  return {
    runsMs,
    minMs,
    medianMs,
    msgPerSec: messages / (medianMs / 1000),
    mbPerSec: bytes / 1024 / 1024 / (medianMs / 1000),
    bestMsgPerSec: messages / (minMs / 1000),
  };
}

export function sec(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
