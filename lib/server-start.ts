import 'server-only';
import { alignServerUrls } from '@/lib/config/base-url';
import { ConfigError, getEnv } from '@/lib/config/env';
import { getDatabase } from '@/lib/db';
import { seedAdminFromEnv } from '@/lib/auth/setup';
import { announceSetupToken } from '@/lib/auth/setup-token';
import { logger } from '@/lib/logger';

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
    await seedAdminFromEnv(db, env);
    await announceSetupToken(db, env.AUTH_SECRET);
    log.info({ database: kind }, 'database ready');
  } catch (error) {
    // Keep serving: /api/health reports the database as down and pages show a clear error until it returns.
    log.error({ err: error }, 'database not reachable at start');
  }
}
