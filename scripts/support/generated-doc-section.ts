/**
 * Figures in docs/ are written by the command that measured them (`npm run bench`, `npm run test:reliability`),
 * between `<!-- NAME:start -->` and `<!-- NAME:end -->`, with the commit and date they were measured at, so the
 * prose around them stays hand-written and the numbers never drift from a run that happened.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export function replaceGeneratedSection(document: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  const section = `${start}\n${body.trim()}\n${end}`;
  if (from === -1 || to < from) return `${document.trimEnd()}\n\n${section}\n`;
  return document.slice(0, from) + section + document.slice(to + end.length);
}

export function writeGeneratedSection(file: string, name: string, body: string): void {
  writeFileSync(file, replaceGeneratedSection(readFileSync(file, 'utf8'), name, body));
}

/** "1a2b3c4 (plus uncommitted changes)": the checkout a measurement ran on. */
export function describeCommit(): string {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const commit = git(['rev-parse', '--short', 'HEAD']) || 'an unknown commit';
  return git(['status', '--porcelain', '--untracked-files=no']) ? `${commit} (plus uncommitted changes)` : commit;
}

/** "at 1a2b3c4 on 2026-12-05, 2 CPUs, load average 0.4 → 2.1" */
export function measurementStamp(loadAtStart: number[], now = new Date()): string {
  const load = (values: number[]) => (values[0] ?? 0).toFixed(1);
  return (
    `at ${describeCommit()} on ${now.toISOString().slice(0, 10)}, ${cpus().length} CPUs, ` +
    `load average ${load(loadAtStart)} → ${load(loadavg())}`
  );
}
