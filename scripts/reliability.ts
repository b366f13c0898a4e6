/**
 * `npm run test:reliability [-- --soak] [--skip-e2e]`: the reliability suite (test/reliability with vitest, then
 * the Playwright specs tagged @reliability against `next build && next start`), followed by one table of every
 * scenario it proved with its lost and duplicated counts. `--soak` adds the long runs (RELIABILITY_SOAK=1).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScenarioRow } from '@/test/reliability/support/scenarios';

const { values } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    'skip-e2e': { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
  },
});
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
printTable(rows);
process.stdout.write(
  `\n${rows.length} scenarios, ${sum(rows, 'lost')} lost, ${sum(rows, 'duplicated')} duplicated${failed ? ' — SOME TESTS FAILED (see above)' : ''}\n`,
);
process.exit(failed ? 1 : 0);

function sum(list: ScenarioRow[], key: 'lost' | 'duplicated'): number {
  return list.reduce((total, row) => total + row[key], 0);
}

function printTable(list: ScenarioRow[]): void {
  const header = ['group', 'scenario', 'expected', 'stored', 'lost', 'dup', 'note'];
  const sorted = [...list].sort((a, b) => a.group.localeCompare(b.group));
  const cells = sorted.map((row) => [
    row.group,
    row.scenario,
    String(row.expected),
    String(row.stored),
    String(row.lost),
    String(row.duplicated),
    row.note ?? '',
  ]);
  const widths = header.map((title, i) =>
    Math.min(i === 1 ? 70 : 60, Math.max(title.length, ...cells.map((cell) => (cell[i] ?? '').length))),
  );
  const format = (cell: string[]) =>
    cell
      .map((value, i) => (i >= 2 && i <= 5 ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const cell of cells) process.stdout.write(`${format(cell)}\n`);
}
