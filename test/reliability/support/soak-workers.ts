/**
 * `npm run sync -- --watch 2` as separate processes, configured through the environment only, and stopped by
 * the PIDs this file started: SIGTERM to the sync process itself (it finishes its pass and exits), SIGKILL to
 * the whole tree only if it does not.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { descendants, signalTree } from '@/test/harness/process-tree';

export interface SyncWorker {
  pid: number;
  /** Everything printed so far (one line per finished account, one per pass). */
  output(): string;
  /** Stops it gracefully; resolves with its exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

const started = new Set<number>();
process.once('exit', () => {
  for (const pid of started) signalTree(pid, 'SIGKILL');
});

export function startSyncWorker(env: NodeJS.ProcessEnv, watchSeconds = 2): SyncWorker {
  const child: ChildProcess = spawn('npx', ['tsx', '--conditions=react-server', 'scripts/sync.ts', '--watch', String(watchSeconds)], {
    env,
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the sync worker did not start');
  started.add(pid);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    pid,
    output: () => out,
    async stop(timeoutMs = 90_000) {
      // npx and tsx sit above the node process running scripts/sync.ts; signal only that one, once, so it ends
      // its pass cleanly (a second SIGTERM would kill it mid-pass).
      signalSyncProcess(pid, 'SIGTERM');
      const timer = setTimeout(() => signalTree(pid, 'SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      started.delete(pid);
      return code;
    },
  };
}

function signalSyncProcess(root: number, signal: NodeJS.Signals): void {
  const tree = [root, ...descendants(root)];
  const leaf = tree.filter((pid) => descendants(pid).length === 0 && commandLine(pid).includes('scripts/sync.ts')).at(-1);
  process.kill(leaf ?? root, signal);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Messages a worker reports fetched, per mailbox address, from its `address: outcome, N messages` lines. */
export function fetchedByAddress(output: string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const match of output.matchAll(/^(\S+@\S+): (success|partial|failed), (\d+) messages/gm)) {
    const [, address, , count] = match;
    if (address && count) totals.set(address, (totals.get(address) ?? 0) + Number(count));
  }
  return totals;
}

/** Outcomes a worker reported as failed, with their error line. */
export function failedLines(output: string): string[] {
  return output.split('\n').filter((line) => /^\S+@\S+: failed/.test(line));
}
