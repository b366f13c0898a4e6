/**
 * Part 1–3 and 5 of the bench on one mailbox: mbsync (default and `FSync no`) and the product's first sync,
 * alternating, each from empty; then the raw IMAP ceiling, the incremental and idle runs, and the peak RSS of a
 * sync process on a mailbox of 25 MB attachments.
 */
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { productEnv } from './environment';
import { seedBenchMailbox, type BenchMailbox } from './mailbox';
import { runMbsync } from './mbsync';
import { accountRun, runSyncChild, runWarmSyncChild } from './processes';
import { createProductDatabase, type ProductDatabase } from './product-database';
import { cpuMeter, postmasterPid } from './cpu';
import { rawFetch } from './raw-fetch';
import { summarize, type Summary } from './stats';

export interface FirstSyncResult {
  mailbox: BenchMailbox;
  mbsync: Summary;
  mbsyncNoFsync: Summary;
  product: Summary & { processWallMs: number[]; peakRssMb: number[] };
  raw: Summary;
  exact: { rows: number; sources: number; expected: number; ok: boolean };
  /** On-disk size of the tables after the first sync (TOAST included): bytes written, countable on a busy machine. */
  storedMb: Record<string, number>;
  incremental: { added: number; ms: number; accountMs: number; fetched: number };
  /** The same in a process that has synced before: a cron route of a running server, a `--watch` worker. */
  incrementalWarm: { added: number; ms: number; accountMs: number; fetched: number };
  idle: { ms: number; accountMs: number };
  bigAttachments?: { messages: number; attachmentMb: number; bytes: number; ms: number; peakRssMb: number };
  /**
   * CPU seconds per GB of mailbox in the last first sync of each, by process: the sync (or mbsync) itself, Postgres
   * (every backend on the machine: other work there counts too), Dovecot, and the bench process (the stand-in's
   * identity emulator and Exchange personality).
   */
  cpuPerGb?: { product: CpuByProcess; mbsync: CpuByProcess };
}

export interface CpuByProcess {
  client?: number;
  postgres?: number;
  dovecot?: number;
  standIn: number;
}

const ADDRESS = 'bench@contoso.test';

export async function benchFirstSync(
  harness: Harness,
  count: number,
  runs: number,
  log: (line: string) => void,
  options: { memory: boolean; bigMessages: number } = { memory: true, bigMessages: 12 },
): Promise<FirstSyncResult> {
  await harness.control.addUser({ address: ADDRESS });
  const mailbox = await seedBenchMailbox(harness, ADDRESS, { count, seed: 2025 });
  log(`seeded ${mailbox.count} messages, ${mailbox.bytes} bytes (${JSON.stringify(mailbox.shapes)})`);
  // Dovecot indexes the new maildir on the first SELECT: do that once before anything is timed.
  const { access_token: token } = await harness.control.issueTokens({ address: ADDRESS });
  await rawFetch(harness.imapPort, ADDRESS, token);

  const mbsync: number[] = [];
  const mbsyncNoFsync: number[] = [];
  const product: number[] = [];
  const wall: number[] = [];
  const rss: number[] = [];
  let kept: { db: ProductDatabase; accountId: string } | undefined;
  const gb = mailbox.bytes / 1e9;
  const cpu = { product: { standIn: NaN }, mbsync: { standIn: NaN } } as NonNullable<FirstSyncResult['cpuPerGb']>;
  for (let i = 0; i < runs; i += 1) {
    const mbsyncMeter = meters(harness);
    const mbsyncRun = await runMbsync(harness.imapPort, ADDRESS, { fsync: true });
    mbsync.push(mbsyncRun.ms);
    cpu.mbsync = mbsyncMeter(mbsyncRun.cpuSeconds, gb);
    log(`mbsync run ${i + 1}: ${ms(mbsync.at(-1))}`);
    mbsyncNoFsync.push((await runMbsync(harness.imapPort, ADDRESS, { fsync: false })).ms);
    log(`mbsync FSync no run ${i + 1}: ${ms(mbsyncNoFsync.at(-1))}`);
    const db = await createProductDatabase(harness);
    const [accountId] = await db.connect([ADDRESS]);
    const productMeter = meters(harness);
    const report = await runSyncChild(productEnv(db.url), [accountId as string]);
    cpu.product = productMeter(report.cpuSeconds, gb);
    const fetched = report.accounts[0]?.fetched ?? 0;
    if (fetched !== count) throw new Error(`bench: product synced ${fetched} of ${count}`);
    product.push(report.ms);
    wall.push(report.wallMs);
    rss.push(report.peakRssMb ?? NaN);
    log(
      `product run ${i + 1}: ${ms(report.ms)} in runSync, ${ms(report.wallMs)} process, peak RSS ${report.peakRssMb?.toFixed(0)} MB`,
    );
    if (kept) await kept.db.drop();
    kept = { db, accountId: accountId as string };
  }
  const raws: number[] = [];
  for (let i = 0; i < runs; i += 1) raws.push((await rawFetch(harness.imapPort, ADDRESS, token)).ms);
  if (!kept) throw new Error('bench: no runs');

  const exact = await countStored(kept.db.url, kept.accountId, count);
  const storedMb = await tableSizes(kept.db.url);
  log(`stored: ${JSON.stringify(storedMb)} MB`);
  await seedBenchMailbox(harness, ADDRESS, { count: 100, seed: 2025, offset: count });
  const incremental = await runSyncChild(productEnv(kept.db.url), [kept.accountId]);
  const idle = await runSyncChild(productEnv(kept.db.url), [kept.accountId]);
  log(`incremental +100: ${ms(incremental.ms)}, idle: ${ms(idle.ms)}`);
  // The warm process first syncs 100 more messages itself, then 100 are added and timed.
  await seedBenchMailbox(harness, ADDRESS, { count: 100, seed: 2025, offset: count + 100 });
  const warm = await runWarmSyncChild(productEnv(kept.db.url), [kept.accountId], () =>
    seedBenchMailbox(harness, ADDRESS, { count: 100, seed: 2025, offset: count + 200 }),
  );
  log(`incremental +100 in a warm process: ${ms(warm.ms)}`);
  const big = options.memory ? await bigAttachmentRun(harness, kept.db, options.bigMessages) : undefined;
  await kept.db.drop();
  return {
    mailbox,
    mbsync: summarize(mbsync, count, mailbox.bytes),
    mbsyncNoFsync: summarize(mbsyncNoFsync, count, mailbox.bytes),
    product: { ...summarize(product, count, mailbox.bytes), processWallMs: wall, peakRssMb: rss },
    raw: summarize(raws, count, mailbox.bytes),
    exact,
    storedMb,
    incremental: { added: 100, ...accountRun(incremental) },
    idle: { ms: idle.ms, accountMs: idle.accounts[0]?.durationMs ?? NaN },
    incrementalWarm: { added: 100, ...accountRun(warm) },
    bigAttachments: big,
    cpuPerGb: cpu,
  };
}

/** Starts CPU readings of Postgres, Dovecot and this process; the result divides each by the mailbox's GB. */
function meters(harness: Harness): (clientCpuSeconds: number | undefined, gb: number) => CpuByProcess {
  const postgresCpu = cpuMeter(postmasterPid());
  const dovecotCpu = cpuMeter(harness.dovecot.pid);
  const own = process.cpuUsage();
  return (client, gb) => {
    const standIn = process.cpuUsage(own);
    const perGb = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds / gb);
    return {
      client: perGb(client),
      postgres: perGb(postgresCpu()),
      dovecot: perGb(dovecotCpu()),
      standIn: (standIn.user + standIn.system) / 1e6 / gb,
    };
  };
}

async function bigAttachmentRun(
  harness: Harness,
  db: ProductDatabase,
  count: number,
): Promise<NonNullable<FirstSyncResult['bigAttachments']>> {
  const address = 'big@contoso.test';
  const [accountId] = await db.connect([address]);
  const attachmentMb = 25;
  const seeded = await seedBenchMailbox(harness, address, {
    count,
    seed: 7,
    attachmentBytes: attachmentMb * 1024 * 1024,
  });
  const report = await runSyncChild(productEnv(db.url), [accountId as string]);
  return {
    messages: seeded.count,
    attachmentMb,
    bytes: seeded.bytes,
    ms: report.ms,
    peakRssMb: report.peakRssMb ?? NaN,
  };
}

/** Rows, distinct UIDs and sources of one account against what was expected: every message exactly once. */
export async function countStored(url: string, accountId: string, expected: number): Promise<FirstSyncResult['exact']> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ rows: number; uids: number; sources: number }[]>`
      select count(*)::int as rows, count(distinct m.uid)::int as uids, count(s.message_id)::int as sources
      from messages m left join message_sources s on s.message_id = m.id where m.account_id = ${accountId}`;
    const { rows = 0, uids = 0, sources = 0 } = row ?? {};
    return { rows, sources, expected, ok: rows === expected && uids === expected && sources === expected };
  } finally {
    await sql.end();
  }
}

async function tableSizes(url: string): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ name: string; bytes: string }[]>`
      select relname as name, pg_total_relation_size(oid)::text as bytes from pg_class
      where relname in ('messages', 'message_sources', 'attachments') and relkind = 'r'`;
    return Object.fromEntries(rows.map((row) => [row.name, Math.round(Number(row.bytes) / 1024 / 102.4) / 10]));
  } finally {
    await sql.end();
  }
}

function ms(value: number | undefined): string {
  return `${(value ?? NaN).toFixed(0)} ms`;
}
