/** The IMAP IDLE rows of the bench's table (bench/watch.ts), and the delivery-latency rows any transport shares. */
import type { DeliveryLatency } from './delivery-latency';
import type { DeliveryResult, WatchCostResult } from './watch';

export type { DeliveryResult, WatchCostResult };

export function watchRows(result: {
  delivery?: DeliveryResult;
  watchCost?: WatchCostResult;
}): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const d = result.delivery;
  if (d)
    rows.push(
      ...deliveryRows(
        `delivery latency (${d.mailboxes} watched)`,
        d,
        'IMAP IDLE',
        `all watched and caught up in ${ms(d.watchStartMs)}`,
      ),
    );
  const c = result.watchCost;
  if (c)
    rows.push([
      `cost of watching (${c.watched}/${c.mailboxes})`,
      `RSS ${c.rssMb.toFixed(0)} MB, CPU ${c.cpuPercent.toFixed(2)}% of a core`,
      `idle for ${c.sampleSeconds} s, one worker (target ≤ 200 MB, < 2%); started in ${ms(c.watchStartMs)}`,
    ]);
  return rows;
}

/** Latency percentiles against the 5 s target, then the exactly-once check (bench/delivery-latency.ts). */
export function deliveryRows(
  name: string,
  d: DeliveryLatency,
  how: string,
  detail: string,
): [string, string, string][] {
  return [
    [
      name,
      `p50 ${ms(d.p50Ms)} / p95 ${ms(d.p95Ms)} / max ${ms(d.maxMs)}`,
      `${d.messages} messages over ${d.spreadSeconds} s via SMTP, ${how}, to the committed row (target p95 ≤ 5 s)`,
    ],
    [
      '  exactly once',
      d.missing === 0 && d.duplicates === 0 ? 'ok' : 'MISMATCH',
      `${d.missing} missing, ${d.duplicates} stored twice; ${detail}; unsuccessful syncs ${JSON.stringify(d.unsuccessfulSyncs)}`,
    ],
  ];
}

export function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
}
