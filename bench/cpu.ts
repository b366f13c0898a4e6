/**
 * CPU seconds spent by a server's process tree (Postgres, Dovecot) between two readings, from /proc: the root's
 * own and reaped children's time (a connection's backend or imap process is gone by the second reading; its time
 * is then in the root's cutime/cstime) plus the live descendants' own. Linux only; undefined elsewhere.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Stat {
  pid: number;
  ppid: number;
  own: number;
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const n = (i: number) => Number(fields[i - 3]);
    return { pid, ppid: n(4), own: n(14) + n(15), reaped: n(16) + n(17) };
  } catch {
    return undefined;
  }
}

function allStats(): Stat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readStat(Number(name)) ?? []);
}

/** Ticks used so far by `root` and everything under it. */
export function treeTicks(root: number): number | undefined {
  const stats = allStats();
  const top = stats.find((stat) => stat.pid === root);
  if (!top) return undefined;
  const children = new Map<number, Stat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  let ticks = top.own + top.reaped;
  const queue = [...(children.get(root) ?? [])];
  for (let next = queue.shift(); next; next = queue.shift()) {
    ticks += next.own;
    queue.push(...(children.get(next.pid) ?? []));
  }
  return ticks;
}

/** The Postgres postmaster on this machine: the `postgres` process whose parent is not one. */
export function postmasterPid(): number | undefined {
  const stats = allStats();
  const names = new Map(
    stats.map((stat) => {
      try {
        return [stat.pid, readFileSync(`/proc/${stat.pid}/comm`, 'utf8').trim()] as const;
      } catch {
        return [stat.pid, ''] as const;
      }
    }),
  );
  return stats.find((stat) => names.get(stat.pid) === 'postgres' && names.get(stat.ppid) !== 'postgres')?.pid;
}

/** Starts a reading; the returned function gives the CPU seconds used since, or undefined when unknown. */
export function cpuMeter(root: number | undefined): () => number | undefined {
  const start = root === undefined ? undefined : treeTicks(root);
  return () => {
    if (root === undefined || start === undefined) return undefined;
    const end = treeTicks(root);
    return end === undefined ? undefined : (end - start) / TICKS_PER_SECOND;
  };
}
