/**
 * The Graph transport: one mailbox read with application access (RBAC for Applications, as
 * test/sync-graph.test.ts sets it up) through the Graph stand-in over the same maildirs Dovecot serves.
 *
 * - Loopback: first sync from empty in a fresh database each run, then incremental +100 and idle (nothing new) on
 *   the last run's database, each followed by the exactly-once check: stored rows equal the mailbox's count, no
 *   Graph id twice.
 * - Shaped link: the same first sync with a link shaper (test/harness/shaped-proxy.ts, the IMAP rows' 40 ms /
 *   8 MB/s per connection) in front of the stand-in's port. The stand-in's @odata links name the host the client
 *   called (test/harness/graph/server.ts), so every page goes through the shaper, as the product follows the links
 *   it is given ("sending the URL value of the @odata.nextLink property", https://learn.microsoft.com/graph/paging).
 */
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { startShapedProxy } from '@/test/harness/shaped-proxy';
import { APP, productEnv } from './environment';
import { GRAPH_ADDRESS, GRAPH_SHAPED_ADDRESS } from './graph-mailboxes';
import { seedBenchMailbox, type BenchMailbox } from './mailbox';
import { accountRun, runSyncChild } from './processes';
import { createProductDatabase, type ProductDatabase } from './product-database';
import { summarize, type Summary } from './stats';

export interface GraphExact {
  rows: number;
  graphIds: number;
  sources: number;
  expected: number;
  ok: boolean;
}

export interface GraphBenchResult {
  mailbox: BenchMailbox;
  firstSync: Summary & { processWallMs: number[]; peakRssMb: number[] };
  exact: GraphExact;
  incremental: { added: number; ms: number; accountMs: number; fetched: number; exact: GraphExact };
  idle: { ms: number; accountMs: number; fetched: number; exact: GraphExact };
}

export interface GraphShapedResult {
  link: { roundTripMs: number; bytesPerSecond: number };
  mailbox: BenchMailbox;
  firstSync: Summary & { processWallMs: number[] };
  exact: GraphExact;
  /** TCP connections the shaper carried in the last run (each pays a handshake on a real link). */
  connections: number;
}

export async function benchGraph(
  harness: Harness,
  count: number,
  runs: number,
  log: (line: string) => void,
): Promise<GraphBenchResult> {
  const mailbox = await seedGraphMailbox(harness, GRAPH_ADDRESS, count, 2026, log);
  const { times, wall, rss, kept } = await firstSyncs(harness, GRAPH_ADDRESS, mailbox, runs, productEnv, log, 'graph');
  try {
    const exact = await countGraphStored(kept.db.url, kept.accountId, mailbox.count);
    await seedBenchMailbox(harness, GRAPH_ADDRESS, { count: 100, seed: 2026, offset: count });
    const incremental = await runSyncChild(productEnv(kept.db.url), [kept.accountId]);
    const afterIncremental = await countGraphStored(kept.db.url, kept.accountId, mailbox.count + 100);
    const idle = await runSyncChild(productEnv(kept.db.url), [kept.accountId]);
    const afterIdle = await countGraphStored(kept.db.url, kept.accountId, mailbox.count + 100);
    log(`graph incremental +100: ${incremental.ms.toFixed(0)} ms, idle: ${idle.ms.toFixed(0)} ms`);
    return {
      mailbox,
      firstSync: { ...summarize(times, mailbox.count, mailbox.bytes), processWallMs: wall, peakRssMb: rss },
      exact,
      incremental: { added: 100, ...accountRun(incremental), exact: afterIncremental },
      idle: { ...accountRun(idle), exact: afterIdle },
    };
  } finally {
    await kept.db.drop();
  }
}

/**
 * The loopback first sync over a link shaper in front of the Graph stand-in's port (tokens still come from the
 * emulator unshaped: one request per run). From empty in a fresh database each run, then the exactly-once check.
 */
export async function benchGraphShaped(
  harness: Harness,
  options: { roundTripMs: number; bytesPerSecond: number; messages: number; runs: number },
  log: (line: string) => void,
): Promise<GraphShapedResult> {
  const { messages, runs, ...shape } = options;
  const mailbox = await seedGraphMailbox(harness, GRAPH_SHAPED_ADDRESS, messages, 1717, log);
  const proxy = await startShapedProxy({ targetPort: harness.graph.port, link: shape });
  try {
    const env = (url: string) => productEnv(url, { MICROSOFT_GRAPH_URL: proxy.url });
    let before = proxy.stats.connections;
    const { times, wall, kept } = await firstSyncs(
      harness,
      GRAPH_SHAPED_ADDRESS,
      mailbox,
      runs,
      env,
      log,
      'graph shaped',
      () => {
        before = proxy.stats.connections;
      },
    );
    const connections = proxy.stats.connections - before;
    try {
      return {
        link: shape,
        mailbox,
        firstSync: { ...summarize(times, mailbox.count, mailbox.bytes), processWallMs: wall },
        exact: await countGraphStored(kept.db.url, kept.accountId, mailbox.count),
        connections,
      };
    } finally {
      await kept.db.drop();
    }
  } finally {
    await proxy.close();
  }
}

async function seedGraphMailbox(
  harness: Harness,
  address: string,
  count: number,
  seed: number,
  log: (line: string) => void,
): Promise<BenchMailbox> {
  await harness.control.addUser({ address }).catch(() => undefined);
  await harness.maildirs.ensureFolder(address);
  const mailbox = await seedBenchMailbox(harness, address, { count, seed });
  log(`graph: seeded ${address} with ${mailbox.count} messages, ${mailbox.bytes} bytes`);
  return mailbox;
}

/** First syncs from empty, each in a fresh database and process; the last run's database is kept for the caller. */
async function firstSyncs(
  harness: Harness,
  address: string,
  mailbox: BenchMailbox,
  runs: number,
  env: (databaseUrl: string) => NodeJS.ProcessEnv,
  log: (line: string) => void,
  label: string,
  beforeRun: () => void = () => {},
): Promise<{ times: number[]; wall: number[]; rss: number[]; kept: { db: ProductDatabase; accountId: string } }> {
  const times: number[] = [];
  const wall: number[] = [];
  const rss: number[] = [];
  let kept: { db: ProductDatabase; accountId: string } | undefined;
  for (let i = 0; i < runs; i += 1) {
    const db = await createProductDatabase(harness);
    const accountId = await addGraphAccount(db.url, address);
    beforeRun();
    const report = await runSyncChild(env(db.url), [accountId]);
    const account = report.accounts[0];
    if (account?.outcome !== 'ok' && account?.error)
      throw new Error(`bench ${label}: sync ended ${account.outcome} (${account.error})`);
    if ((account?.fetched ?? 0) !== mailbox.count)
      throw new Error(`bench ${label}: product synced ${account?.fetched ?? 0} of ${mailbox.count}`);
    times.push(report.ms);
    wall.push(report.wallMs);
    rss.push(report.peakRssMb ?? NaN);
    log(
      `${label} first sync run ${i + 1}: ${report.ms.toFixed(0)} ms in runSync, peak RSS ${report.peakRssMb?.toFixed(0)} MB`,
    );
    if (kept) await kept.db.drop();
    kept = { db, accountId };
  }
  if (!kept) throw new Error(`bench ${label}: no runs`);
  return { times, wall, rss, kept };
}

/** A mailbox read with the app's own token (no sign-in), as an admin adds one for application access. */
export async function addGraphAccount(url: string, address: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ id: string }[]>`
      insert into mail_accounts (email_address, home_account_id, tenant_id, sign_in_address, imap_user, transport, access)
      values (${address}, ${`app:${APP.clientId}`}, ${APP.tenant}, ${address}, ${address}, 'graph', 'application')
      returning id`;
    if (!row) throw new Error('bench graph: no account row');
    return row.id;
  } finally {
    await sql.end();
  }
}

/** Every message exactly once: as many rows, distinct Graph ids and sources as the mailbox holds. */
export function graphExactlyOnce(
  counts: { rows: number; graphIds: number; sources: number },
  expected: number,
): GraphExact {
  const { rows, graphIds, sources } = counts;
  return { rows, graphIds, sources, expected, ok: rows === expected && graphIds === expected && sources === expected };
}

async function countGraphStored(url: string, accountId: string, expected: number): Promise<GraphExact> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ rows: number; graphIds: number; sources: number }[]>`
      select count(*)::int as rows, count(distinct m.graph_id)::int as "graphIds", count(s.message_id)::int as sources
      from messages m left join message_sources s on s.message_id = m.id where m.account_id = ${accountId}`;
    return graphExactlyOnce(row ?? { rows: 0, graphIds: 0, sources: 0 }, expected);
  } finally {
    await sql.end();
  }
}
