/**
 * Delivery latency, whichever way the product learns of new mail (an IMAP IDLE watch, a Graph change
 * notification): messages sent through the SMTP stand-in at random moments over a window, to random mailboxes of
 * the list; per message, the time from the SMTP stand-in accepting it (it is then in the mailbox) to its row being
 * visible in Postgres (committed, whatever transaction wrote it). Then the exactly-once check: every message
 * stored, none twice.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import type postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import type { SyncTrigger } from '@/lib/sync/types';

export interface DeliveryLatency {
  messages: number;
  spreadSeconds: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Messages whose row never appeared (should be 0), and rows stored more than once (should be 0). */
  missing: number;
  duplicates: number;
  /** Syncs of the given trigger that did not succeed, by outcome and error code (why a message could be missing). */
  unsuccessfulSyncs: Record<string, number>;
}

const SENDER = 'bench-sender@contoso.test';
// After the last send, how long a row may take before its message counts as missing.
const GRACE_MS = 120_000;

export async function measureDelivery(
  harness: Harness,
  sql: postgres.Sql,
  addresses: string[],
  options: { messages: number; spreadSeconds: number; trigger: SyncTrigger },
  log: (line: string) => void,
): Promise<DeliveryLatency> {
  await harness.control.addUser({ address: SENDER }).catch(() => undefined);
  const token = (await harness.control.issueTokens({ address: SENDER })).access_token;
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: harness.smtpPort,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 4,
    auth: { type: 'OAuth2', user: SENDER, accessToken: token },
  });
  const run = randomBytes(4).toString('hex');
  const delivered = new Map<string, number>();
  const seen = new Map<string, number>();
  let polling = true;
  let lastSend = Date.now();
  const poller = (async () => {
    while (polling || seen.size < delivered.size) {
      const rows = await sql<{ message_id: string }[]>`
        select message_id from messages where message_id like ${`<bench-${run}-%`}`;
      const now = Date.now();
      for (const row of rows) if (!seen.has(row.message_id)) seen.set(row.message_id, now);
      if (!polling && Date.now() > lastSend + GRACE_MS) break;
      await sleep(50);
    }
  })();
  log(`delivering ${options.messages} messages to ${addresses.length} mailboxes over ${options.spreadSeconds} s`);
  const t0 = Date.now();
  try {
    await Promise.all(
      Array.from({ length: options.messages }, async (_, i) => {
        await sleep(Math.random() * options.spreadSeconds * 1000);
        const messageId = `<bench-${run}-${i}@contoso.test>`;
        const to = addresses[Math.floor(Math.random() * addresses.length)] as string;
        await transport.sendMail({
          from: SENDER,
          to,
          subject: `Delivery ${i}`,
          text: `Message ${i} of the delivery latency bench.`,
          messageId,
        });
        const at = Date.now();
        delivered.set(messageId, at);
        lastSend = at;
      }),
    );
  } finally {
    transport.close();
    log(`delivered in ${((Date.now() - t0) / 1000).toFixed(1)} s; waiting for the last rows`);
    polling = false;
    await poller;
  }
  const latencies = [...delivered].flatMap(([id, at]) => {
    const stored = seen.get(id);
    return stored === undefined ? [] : [Math.max(0, stored - at)];
  });
  latencies.sort((a, b) => a - b);
  const [dupes] = await sql<{ n: number }[]>`
    select count(*)::int as n from (select message_id from messages where message_id like ${`<bench-${run}-%`}
    group by account_id, message_id having count(*) > 1) d`;
  const unsuccessful = await sql<{ what: string; n: number }[]>`
    select outcome || ' ' || coalesce(error_code, '') as what, count(*)::int as n from sync_runs
    where trigger = ${options.trigger} and outcome <> 'success' group by 1`;
  return {
    messages: options.messages,
    spreadSeconds: options.spreadSeconds,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    maxMs: latencies.at(-1) ?? Number.NaN,
    missing: delivered.size - latencies.length,
    duplicates: dupes?.n ?? 0,
    unsuccessfulSyncs: Object.fromEntries(unsuccessful.map((row) => [row.what.trim(), row.n])),
  };
}

/** The nearest-rank percentile of sorted values; NaN when there are none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}
