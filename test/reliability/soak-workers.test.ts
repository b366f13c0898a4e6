/**
 * The soak's worker helper, on its own and fast: `npm run sync -- --watch` under npx, sh and tsx stops on SIGTERM
 * after its pass with exit code 0, and a worker that does not stop is killed with every process under it, even
 * ones re-parented to init. Not a scenario (no row): it keeps the soak from hanging on its own plumbing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants } from '@/test/harness/process-tree';
import { groupMembers, startSyncWorker, type SyncWorker } from '@/test/reliability/support/soak-workers';
import { configureTestEnvironment, createTestDatabase, type TestDatabase } from '@/test/support/database';

let database: TestDatabase;
const workers: SyncWorker[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  configureTestEnvironment(database.url);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop(5_000)));
  await database?.drop();
});

/** Waits for a condition, not a duration; the machine is shared and slow. */
async function until(what: string, check: () => boolean, ms = 90_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await sleep(200)) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms / 1000} s`);
  }
}

function start(): SyncWorker {
  // Without tsx's transform cache, tsx keeps an esbuild service process under the sync process: the shape a
  // cold cache (a first run, or a changed file) gives, and the one the soak hung on.
  const worker = startSyncWorker({ ...process.env, LOG_LEVEL: 'silent', TSX_DISABLE_CACHE: '1' }, 1);
  workers.push(worker);
  return worker;
}

const passes = (worker: SyncWorker) => worker.output().match(/ pass done: /g)?.length ?? 0;

describe('soak sync workers', () => {
  it('stop a worker whose sync process has a child of its own after its pass, exit code 0, nothing left', async () => {
    const worker = start();
    await until('a first pass', () => passes(worker) >= 1);
    const syncPid = worker.syncPid();
    expect(syncPid, worker.output()).toBeDefined();
    expect(descendants(syncPid as number), 'tsx runs an esbuild service under the sync process').not.toEqual([]);

    const code = await worker.stop(60_000);
    workers.splice(workers.indexOf(worker), 1);
    expect(code, worker.output()).toBe(0);
    expect(worker.output()).toContain(`SIGTERM to ${syncPid}\n`);
    expect(worker.output()).not.toContain('SIGKILL');
    await until('the group to be gone', () => groupMembers(worker.pid).length === 0, 10_000);
  }, 180_000);

  it('kill a worker that does not stop, with the processes npx left behind, and report it', async () => {
    const worker = start();
    await until('a first pass', () => passes(worker) >= 1);
    const syncPid = worker.syncPid();
    // npx gone, so what it ran is re-parented to init (what a SIGTERM to npx leaves), and all of that frozen:
    // no SIGTERM can end it.
    process.kill(worker.pid, 'SIGKILL');
    await until('npx to exit', () => !groupMembers(worker.pid).some((line) => line.includes('npm exec')), 30_000);
    const left = groupMembers(worker.pid).map((line) => Number(line.split(' ')[0]));
    expect(left).toContain(syncPid);
    for (const pid of left) process.kill(pid, 'SIGSTOP');

    const code = await worker.stop(3_000);
    workers.splice(workers.indexOf(worker), 1);
    expect(code).toBeNull();
    expect(worker.output()).toMatch(/still running after 3 s, SIGKILL to group \d+: .*scripts\/sync\.ts/);
    // A killed process closes its pipes (which ends stop()) a moment before it leaves the process table.
    await until('the group to be gone', () => groupMembers(worker.pid).length === 0, 10_000);
  }, 180_000);
});
