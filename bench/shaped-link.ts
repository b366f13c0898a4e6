/**
 * The Exchange-like link (issue 17): every IMAP connection of the stand-in shaped to a round trip and a bandwidth
 * per connection (default 40 ms, 8 MB/s). On it, from empty and on the same mailbox: mbsync against the product's
 * first sync (which fetches over several connections), then the product's incremental +100 against the time the
 * link needs to carry those bytes, and an idle run's round trips (connections + commands the stand-in saw).
 */
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import type { LinkShape } from '@/test/harness/link-shaper';
import { productEnv } from './environment';
import { countStored, type FirstSyncResult } from './first-sync';
import { seedBenchMailbox, type BenchMailbox } from './mailbox';
import { runMbsync } from './mbsync';
import { runSyncChild } from './processes';
import { createProductDatabase } from './product-database';
import { summarize, type Summary } from './stats';

export interface ShapedLinkResult {
  link: { roundTripMs: number; bytesPerSecond: number };
  mailbox: BenchMailbox;
  mbsync: Summary;
  product: Summary;
  /** Product messages/s over mbsync's (target ≥ 2). */
  ratio: number;
  exact: FirstSyncResult['exact'];
  incremental: ShapedIncremental;
  /** With `--baseline <checkout>`: that checkout's incremental +100 first, on the same account (then this one's). */
  baselineIncremental?: ShapedIncremental;
  idle: { ms: number; connections: number; commands: number; roundTrips: number };
  /** A polled pass over the same mailbox, due, while a live worker watches its INBOX (target 0 round trips). */
  watchedIdle?: { ms: number; synced: number; roundTrips: number };
}

export interface ShapedIncremental {
  added: number;
  bytes: number;
  ms: number;
  linkMs: number;
  ratioToLink: number;
  fetched: number;
  /** Connections + tagged commands the stand-in saw during the run (each at least one round trip). */
  roundTrips: number;
}

const ADDRESS = 'shaped@contoso.test';

export async function benchShapedLink(
  harness: Harness,
  shape: { roundTripMs: number; bytesPerSecond: number },
  count: number,
  runs: number,
  log: (line: string) => void,
  baselineDir?: string,
): Promise<ShapedLinkResult> {
  const exchange = harness.exchange;
  if (!exchange) throw new Error('bench: the shaped link needs the Exchange personality');
  await harness.control.addUser({ address: ADDRESS });
  const mailbox = await seedBenchMailbox(harness, ADDRESS, { count, seed: 1717 });
  log(`shaped link: seeded ${mailbox.count} messages, ${mailbox.bytes} bytes`);
  const before: LinkShape | undefined = exchange.settings.link;
  exchange.settings.link = shape;
  const db = await createProductDatabase(harness);
  try {
    const mbsync: number[] = [];
    const product: number[] = [];
    let exact: ShapedLinkResult['exact'] = { rows: 0, sources: 0, expected: count, ok: false };
    let accountId = '';
    for (let i = 0; i < runs; i += 1) {
      mbsync.push((await runMbsync(harness.imapPort, ADDRESS, { fsync: true })).ms);
      log(`shaped mbsync run ${i + 1}: ${mbsync.at(-1)?.toFixed(0)} ms`);
      // From empty each time: the previous run's account is removed, the same mailbox connected again.
      if (accountId) await removeAccount(db.url, accountId);
      [accountId = ''] = await db.connect([ADDRESS]);
      const report = await runSyncChild(productEnv(db.url), [accountId], false);
      product.push(report.ms);
      log(`shaped product run ${i + 1}: ${report.ms.toFixed(0)} ms, fetched ${report.accounts[0]?.fetched}`);
      exact = await countStored(db.url, accountId, count);
    }
    const mbsyncSummary = summarize(mbsync, count, mailbox.bytes);
    const productSummary = summarize(product, count, mailbox.bytes);

    // +100 in a fresh process. With a baseline, that checkout first; then the account is rewound to where it was
    // (the 100 rows deleted, the folder state as the first sync left it) and this checkout fetches the same 100.
    const added = await seedBenchMailbox(harness, ADDRESS, { count: 100, seed: 1717, offset: count });
    const linkMs = (added.bytes / shape.bytesPerSecond) * 1000;
    const incrementalRun = async (cwd?: string): Promise<ShapedIncremental> => {
      const counted = exchange.stats.connections + exchange.stats.commands;
      const byCommand = { ...exchange.stats.byCommand };
      const report = await runSyncChild(productEnv(db.url), [accountId], false, cwd);
      const roundTrips = exchange.stats.connections + exchange.stats.commands - counted;
      const sent = Object.entries(exchange.stats.byCommand)
        .map(([name, n]) => [name, n - (byCommand[name] ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
      log(
        `shaped incremental +100${cwd ? ' (baseline)' : ''}: ${report.ms.toFixed(0)} ms (link needs ${linkMs.toFixed(0)} ms), ${roundTrips} round trips (connections and ${sent.join(', ')})`,
      );
      return {
        added: added.count,
        bytes: added.bytes,
        ms: report.ms,
        linkMs,
        ratioToLink: report.ms / linkMs,
        fetched: report.accounts[0]?.fetched ?? 0,
        roundTrips,
      };
    };
    let baselineIncremental: ShapedIncremental | undefined;
    if (baselineDir) {
      baselineIncremental = await incrementalRun(baselineDir);
      await rewind(db.url, accountId, count);
    }
    const incremental = await incrementalRun();
    const counted = { connections: exchange.stats.connections, commands: exchange.stats.commands };
    const idle = await runSyncChild(productEnv(db.url), [accountId], false);
    const connections = exchange.stats.connections - counted.connections;
    const commands = exchange.stats.commands - counted.commands;
    log(`shaped idle ${idle.ms.toFixed(0)} ms, ${connections} connections + ${commands} commands`);
    // Another worker holds an IDLE on this INBOX (a live claim) and the mailbox is due: the polled pass passes it by.
    await watchedElsewhere(db.url, accountId);
    const beforeWatched = exchange.stats.connections + exchange.stats.commands;
    const watchedPass = await runSyncChild(productEnv(db.url), [], false);
    const watchedIdle = {
      ms: watchedPass.ms,
      synced: watchedPass.accounts.length,
      roundTrips: exchange.stats.connections + exchange.stats.commands - beforeWatched,
    };
    log(
      `shaped polled pass over a watched mailbox: ${watchedIdle.roundTrips} round trips, ${watchedIdle.synced} synced`,
    );
    return {
      link: shape,
      mailbox,
      mbsync: mbsyncSummary,
      product: productSummary,
      ratio: productSummary.msgPerSec / mbsyncSummary.msgPerSec,
      exact,
      incremental,
      baselineIncremental,
      // Each connection costs its greeting, and imapflow waits for each command's answer before the next.
      idle: { ms: idle.ms, connections, commands, roundTrips: connections + commands },
      watchedIdle,
    };
  } finally {
    exchange.settings.link = before;
    await db.drop();
  }
}

/** A watch claim as another worker's claim round writes it, and the mailbox due again. */
async function watchedElsewhere(url: string, accountId: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`insert into mailbox_watches (account_id, owner, expires_at)
      values (${accountId}, 'bench-watcher', now() + interval '10 minutes')`;
    await sql`update mail_accounts set next_attempt_at = now() where id = ${accountId}`;
  } finally {
    await sql.end();
  }
}

/** Back to just after the first sync of `count` messages: as if the last 100 had not been fetched yet. */
async function rewind(url: string, accountId: string, count: number): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`delete from messages where account_id = ${accountId} and uid > ${count}`;
    await sql`update mail_folder_state set last_uid = ${count}, uid_next = ${count + 1}, messages_on_server = ${count}
      where account_id = ${accountId}`;
    await sql`update mail_accounts set next_attempt_at = now() where id = ${accountId}`;
  } finally {
    await sql.end();
  }
}

async function removeAccount(url: string, accountId: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`delete from mail_accounts where id = ${accountId}`;
  } finally {
    await sql.end();
  }
}

export interface ShapedIdleRun {
  /** The checkout the sync ran from: this one, or a baseline given with `--baseline <dir>`. */
  code: 'this' | 'baseline';
  ms: number;
  connections: number;
  commands: number;
  roundTrips: number;
}

export interface ShapedIdleResult {
  link: { roundTripMs: number; bytesPerSecond: number };
  messages: number;
  runs: ShapedIdleRun[];
}

/**
 * `--only shaped-idle`: just the idle row of the shaped link, without the first syncs around it. A small mailbox
 * is synced once over the link, then each idle run (a fresh process, nothing new) is counted: connections plus
 * tagged commands the stand-in saw, and the process's time. With `--baseline`, the other checkout's sync is
 * measured first on the same account.
 */
export async function benchShapedIdle(
  harness: Harness,
  shape: { roundTripMs: number; bytesPerSecond: number },
  runs: number,
  log: (line: string) => void,
  baselineDir?: string,
): Promise<ShapedIdleResult> {
  const exchange = harness.exchange;
  if (!exchange) throw new Error('bench: the shaped link needs the Exchange personality');
  const address = 'shaped-idle@contoso.test';
  await harness.control.addUser({ address });
  const mailbox = await seedBenchMailbox(harness, address, { count: 50, seed: 1718 });
  const before: LinkShape | undefined = exchange.settings.link;
  exchange.settings.link = shape;
  const db = await createProductDatabase(harness);
  try {
    const [accountId = ''] = await db.connect([address]);
    const first = await runSyncChild(productEnv(db.url), [accountId], false);
    log(`shaped idle: first sync of ${mailbox.count} messages in ${first.ms.toFixed(0)} ms`);
    const result: ShapedIdleResult = { link: shape, messages: mailbox.count, runs: [] };
    const codes: ShapedIdleRun['code'][] = baselineDir ? ['baseline', 'this'] : ['this'];
    for (const code of codes)
      for (let i = 0; i < runs; i += 1) {
        const counted = { connections: exchange.stats.connections, commands: exchange.stats.commands };
        const idle = await runSyncChild(
          productEnv(db.url),
          [accountId],
          false,
          code === 'baseline' ? baselineDir : undefined,
        );
        const connections = exchange.stats.connections - counted.connections;
        const commands = exchange.stats.commands - counted.commands;
        result.runs.push({ code, ms: idle.ms, connections, commands, roundTrips: connections + commands });
        log(
          `shaped idle (${code}) run ${i + 1}: ${idle.ms.toFixed(0)} ms, ${connections} connections + ${commands} commands`,
        );
      }
    return result;
  } finally {
    exchange.settings.link = before;
    await db.drop();
  }
}
