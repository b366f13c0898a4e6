import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, longest first (measured on the 2-core CI machine, `npx vitest run --reporter=json`;
 * 5 s and over). Vitest orders by the durations it cached on an earlier run and, on a fresh clone (CI) where there
 * is no cache, by file size, which started the 90 s SIGKILL test among the last files and left one worker on it
 * long after the others had finished. A file missing here only runs later; a stale entry only runs earlier.
 */
const SLOWEST = [
  'reliability/faults-sync-kill',
  'reliability/soak',
  'reliability/tokens-endpoint',
  'reliability/faults-imap',
  'reliability/faults-postgres',
  'reliability/faults-graph',
  'embedded-lock',
  'sync-parallel',
  'two-factor',
  'sync-concurrency',
  'reliability/mailbox-large',
  'sign-in-throttle',
  'sync-watch',
  'sign-in-pglite',
  'sync-watch-workers',
  'administrators',
  'sync-incremental',
  'graph-push',
  'sync-graph',
  'reliability/soak-workers',
  'migrations-concurrently',
  'migrations',
  'reliability/tokens-revoked',
  'bench-graph',
  'harness/exchange-imap',
  'sync-token-renewal',
  'sync-failures',
  'sync-exchange',
  'status-probe',
  'reliability/mailbox-uidvalidity',
  'key-rotation',
].map((name) => `/test/${name}.test.ts`);

function rank(spec: TestSpecification): number {
  const index = SLOWEST.findIndex((suffix) => spec.moduleId.endsWith(suffix));
  return index === -1 ? SLOWEST.length : index;
}

/** The listed files first, in the listed order; the rest as vitest would order them. */
export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rest = await super.sort(files);
    return [...rest].sort((a, b) => rank(a) - rank(b));
  }
}
