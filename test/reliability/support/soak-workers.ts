/**
 * `npm run sync -- --watch 2` as separate processes, configured through the environment only, and stopped by
 * the PIDs this file started: SIGTERM to the node process running scripts/sync.ts (it finishes its pass and
 * exits), SIGKILL to the worker's whole process group only if it does not.
 *
 * Each worker gets its own process group (`detached`), because npx and the shell under it exit on a signal
 * without passing it on: their children are then re-parented to init, out of reach of a walk down from the
 * PID we started, and they keep the output pipes open, so the worker never counts as closed. A process group
 * still holds them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { descendants } from '@/test/harness/process-tree';

export interface SyncWorker {
  pid: number;
  /** Everything printed so far (one line per finished account, one per pass), and how it was stopped. */
  output(): string;
  /** The process running scripts/sync.ts (under npx, sh and tsx), once it has started. */
  syncPid(): number | undefined;
  /** Stops it gracefully; resolves with its exit code (null when it had to be killed). */
  stop(timeoutMs?: number): Promise<number | null>;
}

const started = new Set<number>();
process.once('exit', () => {
  for (const pid of started) signalGroup(pid, 'SIGKILL');
});

export function startSyncWorker(env: NodeJS.ProcessEnv, watchSeconds = 2): SyncWorker {
  const child: ChildProcess = spawn(
    'npx',
    ['tsx', '--conditions=react-server', 'scripts/sync.ts', '--watch', String(watchSeconds)],
    {
      env,
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('the sync worker did not start');
  started.add(pid);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // 'close', not 'exit': every process holding the pipes is gone, so the output is complete.
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const note = (line: string) => (out += `[soak-workers ${new Date().toISOString()}] ${line}\n`);
  return {
    pid,
    output: () => out,
    syncPid: () => syncProcess(pid),
    async stop(timeoutMs = 90_000) {
      // Signal only the sync process, once, so it ends its pass cleanly (a second SIGTERM would kill it
      // mid-pass); tsx exits with its code, then sh and npx.
      const target = syncProcess(pid);
      note(
        target === undefined ? `SIGTERM to group ${pid} (no scripts/sync.ts process found)` : `SIGTERM to ${target}`,
      );
      if (target === undefined) signalGroup(pid, 'SIGTERM');
      else process.kill(target, 'SIGTERM');
      const timer = setTimeout(() => {
        note(`still running after ${timeoutMs / 1000} s, SIGKILL to group ${pid}: ${groupMembers(pid).join('; ')}`);
        signalGroup(pid, 'SIGKILL');
      }, timeoutMs);
      const code = await closed;
      clearTimeout(timer);
      started.delete(pid);
      return code;
    },
  };
}

/**
 * The deepest process under `root` whose command line runs scripts/sync.ts: tsx's child node process (tsx
 * itself names the script too). It may have children of its own, such as tsx's esbuild service.
 */
function syncProcess(root: number): number | undefined {
  return [root, ...descendants(root)].filter((pid) => commandLine(pid).includes('scripts/sync.ts')).at(-1);
}

/** Processes still in the group, with their command lines: where a worker was when it had to be killed. */
export function groupMembers(pgid: number): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(`${pid} ${commandLine(pid).slice(0, 120)}`);
    } catch {
      // Exited while we looked.
    }
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The whole group is gone.
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/**
 * Messages a worker reports fetched, per mailbox address, from its `address: outcome, N new messages` lines.
 * Throws when those lines do not add up to the `pass done: …` and `new mail synced: …` (IDLE) summaries, so a change to the
 * worker's wording cannot quietly make its fetches count as zero.
 */
export function fetchedByAddress(output: string): Map<string, number> {
  const totals = new Map<string, number>();
  let perAccount = 0;
  for (const match of output.matchAll(/^(\S+@\S+): \w+, ([\d,]+) new messages?/gm)) {
    const [, address, count] = match;
    const n = Number(count?.replaceAll(',', ''));
    if (address) totals.set(address, (totals.get(address) ?? 0) + n);
    perAccount += n;
  }
  let summarised = 0;
  for (const match of output.matchAll(/ (?:pass done|new mail synced): [\d,]+ accounts?, ([\d,]+) new messages?/g))
    summarised += Number(match[1]?.replaceAll(',', ''));
  if (perAccount !== summarised)
    throw new Error(`the worker's account lines add up to ${perAccount}, its pass summaries to ${summarised}`);
  return totals;
}

/** Outcomes a worker reported as failed, with their error line. */
export function failedLines(output: string): string[] {
  return output.split('\n').filter((line) => /^\S+@\S+: failed/.test(line));
}
