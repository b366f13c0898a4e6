import { z } from 'zod';
import { hasBearerSecret } from '@/lib/auth/bearer';
import { keepSignInsAlive } from '@/lib/channels/microsoft365/keep-sign-ins-alive';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import { getEnv } from '@/lib/config/env';
import { getDb } from '@/lib/db';
import { logger } from '@/lib/logger';
import { runSync } from '@/lib/sync/run';

export const dynamic = 'force-dynamic';
// Vercel's ceiling for the function; the sync stops starting batches early enough to record its results.
export const maxDuration = 300;
const BUDGET_MS = (maxDuration - 30) * 1000;

/** The scheduler's entry point: Vercel Cron sends GET with `Authorization: Bearer $CRON_SECRET`. */
async function handle(request: Request): Promise<Response> {
  const secret = getEnv().CRON_SECRET;
  if (!secret) {
    return Response.json(
      { error: 'CRON_SECRET is not configured on the server, so scheduled sync is off.' },
      { status: 503 },
    );
  }
  if (!hasBearerSecret(request.headers.get('authorization'), secret)) {
    return Response.json(
      { error: 'Missing or wrong bearer secret.' },
      { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    );
  }
  // `?account=<id>` (repeatable): only these mailboxes, due or not, as `npm run sync -- --account` does.
  const accountIds = new URL(request.url).searchParams.getAll('account');
  if (!z.array(z.uuid()).max(100).safeParse(accountIds).success) {
    return Response.json({ error: 'account must be a mailbox id (a UUID), at most 100 of them.' }, { status: 400 });
  }
  const started = Date.now();
  const db = await getDb();
  const report = await runSync(productSyncDeps(db, { budgetMs: BUDGET_MS }), {
    trigger: 'cron',
    accountIds: accountIds.length > 0 ? accountIds : undefined,
  });
  // Mailboxes that do not sync (disabled, stopped after errors) keep their sign-in through scheduled passes.
  const signIns =
    accountIds.length > 0
      ? undefined
      : await keepSignInsAlive(db, { deadline: started + (maxDuration - 15) * 1000 }).catch((error: unknown) => {
          logger('cron').error({ err: error }, 'renewing idle sign-ins failed');
          return undefined;
        });
  const failed = report.accounts.filter((a) => a.outcome === 'failed').length;
  logger('cron').info(
    { accounts: report.accounts.length, failed, durationMs: report.durationMs },
    'sync pass finished',
  );
  return Response.json({
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    ...(signIns ? { signIns } : {}),
    accounts: report.accounts.map((a) => ({
      accountId: a.accountId,
      address: a.address,
      fetched: a.fetched,
      bytes: a.bytes,
      durationMs: a.durationMs,
      outcome: a.outcome,
      error: a.error ? { code: a.error.code, message: a.error.message } : undefined,
      nextAttemptAt: a.nextAttemptAt,
    })),
  });
}

export const GET = handle;
export const POST = handle;
