/**
 * Two `npm run sync -- --watch` workers: a mailbox is watched by one at a time (its watch lease), and when that
 * worker is killed (SIGKILL: no chance to free anything) the other takes the watch over once the lease expires
 * and stores the mail that arrives afterwards, once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailboxWatches } from '@/lib/db/schema';
import { signalTree } from '@/test/harness/process-tree';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';
import { cliEnv } from '@/test/support/cli-env';
import { eachOnce, uidCounts as storedUidCounts } from '@/test/support/stored-uids';
import { waitFor } from '@/test/support/wait-for';

const ALICE = 'alice@contoso.test';

let f: ChannelFixture;
let alice: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  f = await startChannelFixture();
  const result = await f.complete(await f.signIn({ kind: 'connect' }, ALICE));
  if (!result.ok || !result.outcome.ok) throw new Error(`connect ${ALICE} failed`);
  alice = result.outcome.accountId;
  await f.harness.seed.messages(ALICE, { count: 3, seed: 4040, profile: 'light' });
}, 120_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.pid) signalTree(child.pid, 'SIGKILL');
  await f?.stop();
});

/** A worker that polls once an hour (its first pass at start), so later mail can only come through a watch. */
function startWorker(): { child: ChildProcess; output: () => string } {
  const env = cliEnv(f.harness.env, { SYNC_WATCH_LEASE_SECONDS: '4' });
  const args = ['--conditions=react-server', '--import', 'tsx', 'scripts/sync.ts', '--watch', '3600'];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  children.push(child);
  return { child, output: () => output };
}

const watcher = async () =>
  (await f.db.select().from(mailboxWatches).where(eq(mailboxWatches.accountId, alice)))[0]?.owner ?? null;
const uidCounts = () => storedUidCounts(f.db, alice);

/** Lease owners are `${hostname}:${pid}:${random}`. */
const pidOf = (owner: string | null) => (owner ? Number(owner.split(':').at(-2)) : undefined);

describe('two watching workers', () => {
  it(
    'watch a mailbox one at a time, and the survivor takes over the watch of a killed one',
    { timeout: 240_000 },
    async () => {
      const first = startWorker();
      await waitFor('the first worker’s watch', watcher, (owner) => pidOf(owner) === first.child.pid);
      await waitFor(
        'the first pass',
        async () => (await uidCounts()).length,
        (n) => n === 3,
      );
      const second = startWorker();
      await waitFor(
        'the second worker’s first pass',
        async () => second.output(),
        (out) => out.includes('pass done'),
      );
      // Several heartbeats later the first worker still holds it: the second does not watch it too.
      await sleep(5_000);
      expect(pidOf(await watcher()), second.output()).toBe(first.child.pid);

      signalTree(first.child.pid!, 'SIGKILL');
      await waitFor('the take-over', watcher, (owner) => pidOf(owner) === second.child.pid);
      await f.harness.seed.messages(ALICE, { count: 2, seed: 4041, profile: 'light' });
      const counts = await waitFor('the new mail', uidCounts, (rows) => rows.length === 5);
      expect(eachOnce(counts)).toBe(true);
      expect(second.output()).toContain('Watching 1 inbox with IMAP IDLE');

      // SIGTERM: the watch is closed and its claim freed at once, not left to expire.
      const exited = new Promise<number | null>((resolve) => second.child.once('exit', (code) => resolve(code)));
      second.child.kill('SIGTERM');
      expect(await exited, second.output()).toBe(0);
      expect(await watcher()).toBeNull();
    },
  );
});
