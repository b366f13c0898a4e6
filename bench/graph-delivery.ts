/**
 * Graph delivery latency through change notifications: mailboxes read with application access, each with the
 * Inbox subscription the product keeps (lib/channels/microsoft365/push-subscriptions.ts) pointing at the product's
 * own webhook, /api/v1/graph/notifications, served by `next start` (bench/next-server.ts). Their first sync (a
 * `npm run sync` process with GRAPH_NOTIFICATION_URL set) creates the subscriptions; the stand-in validates the
 * endpoint then and posts a notification for each new Inbox message. Nothing polls (no scheduler runs with
 * Postgres, no worker is started), so only the notifications bring mail in. Measured as the IMAP watch row is
 * (bench/delivery-latency.ts): SMTP stand-in accepted → committed row.
 */
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { measureDelivery, type DeliveryLatency } from './delivery-latency';
import { productEnv } from './environment';
import { addGraphAccount } from './graph';
import { graphPushAddresses } from './graph-mailboxes';
import { startNextServer } from './next-server';
import { runSyncChild } from './processes';
import { createProductDatabase } from './product-database';

export interface GraphDeliveryResult extends DeliveryLatency {
  mailboxes: number;
  /** Subscriptions the first syncs created (should equal mailboxes), and how long those syncs took. */
  subscribed: number;
  subscribeMs: number;
  /** Change notifications the stand-in posted in the window, those that needed a retry, and those never taken. */
  notifications: { posted: number; retried: number; refused: number };
}

export async function benchGraphDelivery(
  harness: Harness,
  options: { mailboxes: number; messages: number; spreadSeconds: number },
  log: (line: string) => void,
  // What serves the webhook: `next start` in the bench; a test may serve the route in-process instead.
  serve: typeof startNextServer = startNextServer,
): Promise<GraphDeliveryResult> {
  const addresses = graphPushAddresses(options.mailboxes);
  const db = await createProductDatabase(harness);
  const accountIds: string[] = [];
  for (const address of addresses) {
    await harness.control.addUser({ address }).catch(() => undefined);
    await harness.maildirs.ensureFolder(address);
    accountIds.push(await addGraphAccount(db.url, address));
  }
  // The deployment's own setting: the server's pushed syncs keep the subscriptions as the first syncs made them.
  const env = (url: string) => productEnv(db.url, { GRAPH_NOTIFICATION_URL: `${url}/api/v1/graph/notifications` });
  const server = await serve(env, log, 'graph delivery').catch(async (error: unknown) => {
    await db.drop();
    throw error;
  });
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    const t0 = Date.now();
    await runSyncChild(env(server.url), accountIds, false);
    const subscribeMs = Date.now() - t0;
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from graph_subscriptions`;
    const subscribed = row?.n ?? 0;
    log(
      `graph delivery: ${subscribed} of ${options.mailboxes} mailboxes subscribed in ${(subscribeMs / 1000).toFixed(1)} s`,
    );
    if (subscribed !== options.mailboxes)
      throw new Error(
        `bench graph delivery: ${subscribed} of ${options.mailboxes} subscribed: ${server.output().slice(-2000)}`,
      );
    const deliveries = harness.graph.subscriptions.deliveries;
    const from = deliveries.length;
    const latency = await measureDelivery(harness, sql, addresses, { ...options, trigger: 'push' }, log);
    const window = deliveries.slice(from).filter((d) => d.kind === 'change');
    return {
      ...latency,
      mailboxes: options.mailboxes,
      subscribed,
      subscribeMs,
      notifications: {
        posted: window.length,
        retried: window.filter((d) => d.statuses.length > 1).length,
        refused: window.filter((d) => d.statuses.at(-1) !== 202).length,
      },
    };
  } finally {
    await sql.end();
    await server.stop();
    // Their endpoint is gone: the stand-in stops watching these Inboxes for the parts that follow.
    harness.graph.subscriptions.clear();
    await db.drop();
  }
}
