import { getDatabase } from '@/lib/db';
import { migrationStatus } from '@/lib/db/migrations';
import { logger } from '@/lib/logger';

export const dynamic = 'force-dynamic';

/** For load balancers and uptime checks: no session needed, no secrets in the answer. */
export async function GET() {
  try {
    const { db, kind } = await getDatabase();
    const migrations = await migrationStatus(db);
    return Response.json(
      { ok: migrations === 'current', db: kind, migrations },
      { status: migrations === 'current' ? 200 : 503 },
    );
  } catch (error) {
    logger('health').error({ err: error }, 'health check failed');
    return Response.json({ ok: false, db: 'unreachable', migrations: 'unknown' }, { status: 503 });
  }
}
