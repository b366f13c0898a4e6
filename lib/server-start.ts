import 'server-only';
import path from 'node:path';
import { alignServerUrls } from '@/lib/config/base-url';
import { ConfigError, getEnv } from '@/lib/config/env';
import { getDatabase } from '@/lib/db';
import { announceConsoleUrl, EmbeddedDatabaseBusyError } from '@/lib/db/embedded-lock';
import { seedAdminFromEnv } from '@/lib/auth/setup';
import { announceSetupToken } from '@/lib/auth/setup-token';
import { startEmbeddedSync } from '@/lib/channels/microsoft365/embedded-sync';
import { logger } from '@/lib/logger';

const started = globalThis as unknown as { __mailgateSchedule?: boolean };

export async function startServer(): Promise<void> {
  let env;
  try {
    env = getEnv();
    alignServerUrls(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = logger('start');
  try {
    const { db, kind } = await getDatabase();
    // First, so `npm run sync` finds the console as soon as the database answers.
    if (kind === 'pglite') announceConsoleUrl(path.resolve(env.DATA_DIR, 'pglite'), consoleUrl());
    await seedAdminFromEnv(db, env);
    await announceSetupToken(db, env.AUTH_SECRET);
    log.info({ database: kind }, 'database ready');
    if (kind === 'pglite') {
      // Once per process, also across dev hot reloads.
      if (env.SYNC_INTERVAL_MINUTES > 0 && !started.__mailgateSchedule) {
        started.__mailgateSchedule = true;
        // Polled passes, and IMAP IDLE on the inboxes besides: new mail within seconds, not at the next pass.
        const sync = startEmbeddedSync(db, { intervalMs: env.SYNC_INTERVAL_MINUTES * 60_000 });
        // Next closes its HTTP server on these signals and then exits; alongside, the watches free their claims
        // (first, so a restarted console watches again at once), close their connections, and the pass stops.
        const stop = () => void sync.stop();
        process.once('SIGTERM', stop).once('SIGINT', stop);
      }
    }
  } catch (error) {
    if (error instanceof EmbeddedDatabaseBusyError) {
      console.error(error.message);
      process.exit(1);
    }
    // Keep serving: /api/health reports the database as down and pages show a clear error until it returns.
    log.error({ err: error }, 'database not reachable at start');
  }
}

/** Where this server answers on this machine; Next sets both before it loads the app. */
function consoleUrl(): string {
  return process.env.__NEXT_PRIVATE_ORIGIN || `http://127.0.0.1:${process.env.PORT ?? 3000}`;
}
