import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import SlowestFirst from './test/support/slowest-first.mts';

export default defineConfig({
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('.', import.meta.url)),
      // `server-only` throws outside a React Server Components bundle; tests run the server code directly.
      'server-only': fileURLToPath(new URL('./test/support/server-only.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // The integration files mostly wait on Dovecot, Postgres, child processes and deliberate timeouts: three at
    // once on two cores finish in about half the time of vitest's default (cores - 1 = one at a time).
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    sequence: { sequencer: SlowestFirst },
    // next-auth imports `next/server` without an extension, which only a bundler resolves: let vite do it.
    server: { deps: { inline: ['next-auth'] } },
  },
});
