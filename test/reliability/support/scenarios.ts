/**
 * The reliability suite's report: each scenario test records what it checked (messages on the server, rows
 * stored, lost, duplicated) after asserting it. `npm run test:reliability` prints these rows as a table.
 * Recording never replaces an assertion; it only makes the result visible.
 */
import { appendFile } from 'node:fs/promises';
import type { Exactness } from '@/test/reliability/support/exactness';

export interface ScenarioRow {
  /** Group shown in the table: faults, hostile input, authorization, secrets, soak. */
  group: string;
  scenario: string;
  /** Messages the server holds (or inputs tried, for non-mail scenarios). */
  expected: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** One short line: what else was proven (e.g. "lease released", "401 for 300 inputs"). */
  note?: string;
}

/** Appends one row to the report file named by RELIABILITY_REPORT; a no-op when the suite runs inside `npm test`. */
export async function recordScenario(row: ScenarioRow): Promise<void> {
  const file = process.env.RELIABILITY_REPORT;
  if (!file) return;
  await appendFile(file, `${JSON.stringify(row)}\n`);
}

/** A mail scenario's row, straight from its exactness result. */
export function recordExactness(scenario: string, exact: Exactness, note: string, group = 'faults'): Promise<void> {
  return recordScenario({
    group,
    scenario,
    expected: exact.expected,
    stored: exact.stored,
    lost: exact.lost,
    duplicated: exact.duplicated,
    note,
  });
}
