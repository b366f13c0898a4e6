/**
 * Child processes the bench starts and always stops by PID: timed, with their peak RSS from `/usr/bin/time -v`
 * (getrusage of the waited-for child; `node` is run directly, so there is no tsx wrapper process in between).
 */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  ms: number;
  stdout: string;
  stderr: string;
  /** Peak RSS in MB, when measured. */
  peakRssMb?: number;
  /** User + system CPU seconds of the process, measured along with the RSS. */
  cpuSeconds?: number;
}

const started = new Set<number>();
process.once('exit', () => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; measureRss?: boolean } = {},
): Promise<ProcessResult> {
  const [file, argv] = options.measureRss ? ['/usr/bin/time', ['-v', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) started.add(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = options.timeoutMs
      ? setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), options.timeoutMs)
      : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      if (child.pid) started.delete(child.pid);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
      const user = /User time \(seconds\): ([\d.]+)/.exec(stderr);
      const system = /System time \(seconds\): ([\d.]+)/.exec(stderr);
      const result: ProcessResult = {
        ms,
        stdout,
        stderr,
        peakRssMb: rss ? Number(rss[1]) / 1024 : undefined,
        cpuSeconds: user && system ? Number(user[1]) + Number(system[1]) : undefined,
      };
      if (code !== 0)
        reject(
          Object.assign(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`), { result }),
        );
      else resolve(result);
    });
  });
}

/** `node --conditions=react-server --import tsx <script>`: what `npm run sync` runs, minus the tsx wrapper process. */
export function runTs(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  measureRss = false,
  cwd?: string,
): Promise<ProcessResult> {
  return run(process.execPath, tsArgs(script, args), { env, measureRss, cwd });
}

function tsArgs(script: string, args: string[]): string[] {
  // BENCH_CPU_PROF=<dir> profiles every child (node --cpu-prof) for Part 2's analysis.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return [...profile, '--conditions=react-server', '--import', 'tsx', script, ...args];
}

export interface SyncChildReport {
  ms: number;
  /** Epoch ms around the timed run (absent from older checkouts' sync child). */
  startedAt?: number;
  endedAt?: number;
  accounts: { id: string; outcome: string; fetched: number; bytes: number; durationMs: number; error?: string }[];
}

/** One mailbox's run as the tables report it: the child's time, the account's own time and what it fetched. */
export function accountRun(report: SyncChildReport): { ms: number; accountMs: number; fetched: number } {
  const account = report.accounts[0];
  return { ms: report.ms, accountMs: account?.durationMs ?? NaN, fetched: account?.fetched ?? 0 };
}

/** `cwd`: another checkout's sync (a baseline commit), against the same database and stand-in. */
export async function runSyncChild(
  env: NodeJS.ProcessEnv,
  accountIds: string[] = [],
  measureRss = true,
  cwd?: string,
): Promise<SyncChildReport & { wallMs: number; peakRssMb?: number; cpuSeconds?: number }> {
  const result = await runTs('bench/sync-child.ts', accountIds, env, measureRss, cwd);
  return {
    ...syncReport(result.stdout),
    wallMs: result.ms,
    peakRssMb: result.peakRssMb,
    cpuSeconds: result.cpuSeconds,
  };
}

/**
 * A sync child in `--warm` mode: it syncs once, then `between` runs (the bench adds mail), then the timed run.
 */
export async function runWarmSyncChild(
  env: NodeJS.ProcessEnv,
  accountIds: string[],
  between: () => Promise<unknown>,
): Promise<SyncChildReport> {
  const child = spawn(process.execPath, tsArgs('bench/sync-child.ts', ['--warm', ...accountIds]), {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid) started.add(child.pid);
  let stdout = '';
  let stderr = '';
  let ready: () => void = () => {};
  const readyLine = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) ready();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  try {
    await Promise.race([
      readyLine,
      exited.then(() => Promise.reject(new Error(`warm sync child exited early: ${stderr.slice(-2000)}`))),
    ]);
    await between();
    child.stdin.end('go\n');
    const code = await exited;
    if (code !== 0) throw new Error(`warm sync child exited ${code}: ${stderr.slice(-2000)}`);
  } finally {
    if (child.pid) started.delete(child.pid);
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
  }
  return syncReport(stdout);
}

/** The JSON line a sync child ends with; throws when an account did not sync. */
function syncReport(stdout: string): SyncChildReport {
  const report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as SyncChildReport;
  const failed = report.accounts.filter((a) => a.outcome !== 'success');
  if (failed.length > 0)
    throw new Error(`bench: sync failed for ${failed.length} accounts: ${JSON.stringify(failed.slice(0, 3))}`);
  return report;
}
