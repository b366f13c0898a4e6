import { defineConfig } from '@playwright/test';

// Each worker starts an e2e world of its own (console, database, stand-in) on its own port: see e2e/support/test.ts.
// Specs make the state they need themselves (e2e/support/console-state.ts), so any of them runs alone, in any order.
// Two by default: much of a spec's time is spent waiting (on syncs, the stand-in, timers), so two worlds side by
// side finish sooner even on two cores (see docs/development.md). E2E_WORKERS=1 runs them one after the other.
const workers = Number(process.env.E2E_WORKERS ?? 2);

// Chromium 156 opens its omnibox popup as a page of its own (chrome://omnibox-popup.top-chrome, a renderer) in every
// window (each test's context), headless too, where no one can ever open it. Sampled over 30 s of the e2e run, those
// renderers spent a seventh of the CPU; without them the every-page spec spent 47 machine CPU-s instead of 51 (A/B,
// two runs each, docs/development.md). One --disable-features switch replaces the one Playwright passes,
// so Playwright 1.65's own list (its chromiumSwitches.ts) is repeated here before the omnibox's features.
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];
const OMNIBOX_WEBUI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

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
        `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_WEBUI].join(',')}`,
      ],
    },
  },
});
