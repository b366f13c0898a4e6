/**
 * `npm run test:reliability [-- --soak] [--skip-e2e]`: the reliability suite (test/reliability with vitest, then
 * the Playwright specs tagged @reliability against `next build && next start`), followed by one table of every
 * scenario it proved with its lost and duplicated counts. `--soak` adds the long runs (RELIABILITY_SOAK=1).
 * The same table, with the commit and date, replaces the generated section of docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScenarioRow } from '@/test/reliability/support/scenarios';
import { measurementStamp, writeGeneratedSection } from './support/generated-doc-section';

const { values } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    'skip-e2e': { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
  },
});
const HEADER = ['group', 'scenario', 'expected', 'stored', 'lost', 'dup', 'note'];
const loadAtStart = loadavg();
const dir = mkdtempSync(join(tmpdir(), 'mg-reliability-'));
const report = join(dir, 'scenarios.jsonl');
const env = {
  ...process.env,
  RELIABILITY_REPORT: report,
  NEXT_TELEMETRY_DISABLED: '1',
  ...(values.soak ? { RELIABILITY_SOAK: '1' } : {}),
};

function run(command: string, args: string[]): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  return result.status ?? 1;
}

// The soak restarts the machine's Postgres and runs for minutes: its files go one at a time.
let failed =
  run('npx', [
    'vitest',
    'run',
    'test/reliability',
    ...(values.soak ? ['--no-file-parallelism', '--test-timeout=1800000'] : []),
  ]) !== 0;
if (!values['skip-e2e']) {
  if (values.build || !existsSync('.next/BUILD_ID')) failed = run('npx', ['next', 'build']) !== 0 || failed;
  failed = run('npx', ['playwright', 'test', '--grep', '@reliability']) !== 0 || failed;
}

const rows: ScenarioRow[] = existsSync(report)
  ? readFileSync(report, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ScenarioRow)
  : [];
rmSync(dir, { recursive: true, force: true });
const sorted = [...rows].sort((a, b) => a.group.localeCompare(b.group));
const outcome = `${rows.length} scenarios, ${sum(rows, 'lost')} lost, ${sum(rows, 'duplicated')} duplicated`;
const failure = failed ? ' — SOME TESTS FAILED (see above)' : '';
printTable(sorted);
process.stdout.write(`\n${outcome}${failure}\n`);
const ran = ['`npm run test:reliability`', values.soak && '`--soak`', values['skip-e2e'] && '`--skip-e2e`'];
writeGeneratedSection(
  'docs/reliability.md',
  'reliability',
  [
    `Last run: ${ran.filter(Boolean).join(' ')} ${measurementStamp(loadAtStart)}. ${outcome}${failure}.`,
    '',
    markdownTable(sorted),
  ].join('\n'),
);
process.exit(failed ? 1 : 0);

function sum(list: ScenarioRow[], key: 'lost' | 'duplicated'): number {
  return list.reduce((total, row) => total + row[key], 0);
}

function rowCells(row: ScenarioRow): string[] {
  const counts = [row.expected, row.stored, row.lost, row.duplicated].map(String);
  return [row.group, row.scenario, ...counts, row.note ?? ''];
}

function markdownTable(list: ScenarioRow[]): string {
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...list.map((row) => line(rowCells(row)))].join('\n');
}

function printTable(list: ScenarioRow[]): void {
  const cells = list.map(rowCells);
  const widths = HEADER.map((title, i) =>
    Math.min(i === 1 ? 70 : 60, Math.max(title.length, ...cells.map((cell) => (cell[i] ?? '').length))),
  );
  const format = (cell: string[]) =>
    cell
      .map((value, i) => (i >= 2 && i <= 5 ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${format(HEADER)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const cell of cells) process.stdout.write(`${format(cell)}\n`);
}
