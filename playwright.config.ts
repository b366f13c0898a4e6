import { defineConfig } from '@playwright/test';

// Each worker starts an e2e world of its own (console, database, stand-in) on its own port: see e2e/support/test.ts.
// Specs make the state they need themselves (e2e/support/console-state.ts), so any of them runs alone, in any order.
// Two by default: much of a spec's time is spent waiting (on syncs, the stand-in, timers), so two worlds side by
// side finish sooner even on two cores (see docs/development.md). E2E_WORKERS=1 runs them one after the other.
const workers = Number(process.env.E2E_WORKERS ?? 2);

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  workers,
  // A spec's tests run in order in one worker; specs are spread over the workers.
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    // A trace costs every test its recording (about 12% of the suite's CPU, A/B on the hostile-mail spec) and CI
    // keeps only the log, so CI records none; locally a failed test keeps its trace.
    trace: process.env.CI ? 'off' : 'retain-on-failure',
    browserName: 'chromium',
    launchOptions: {
      // Debian's chromium; Playwright's own browser download is neither wanted nor possible here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
