import 'server-only';
import { loadAppWithSecret, type AppWithSecret } from '@/lib/channels/microsoft365/app-credentials';
import { acquireAccountAccess, acquireMailAccess, TokenError } from '@/lib/channels/microsoft365/tokens';
import type { Db } from '@/lib/db/types';
import { finishSignInRenewal, leaseStaleSignIns } from '@/lib/db/queries/sign-in-renewal';
import { logger } from '@/lib/logger';
import { defaultLeaseOwner } from '@/lib/sync/lease';

const DAY_MS = 24 * 60 * 60_000;

/**
 * A refresh token lapses after 90 days without use, and every use replaces it with a new one ("The default
 * lifetime for the refresh tokens is ... 90 days", "Refresh tokens replace themselves with a fresh token upon every
 * use", learn: entra/identity-platform/refresh-tokens; the lapse is AADSTS700082 "expired due to inactivity ...
 * inactive for 90.00:00:00", learn.microsoft.com/answers/a/710568). An account that does not sync (disabled,
 * stopped after errors, backing off at its token) would lose its sign-in silently; renewing it every 14 days keeps
 * it alive with a wide margin, and the account page warns 14 days before a lapse if renewals stop.
 */
export const RENEW_SIGN_IN_EVERY_DAYS = 14;

// A daily schedule (Vercel Hobby) renews at most a day after an account turns due: due at 13 days, done by 14.
const DUE_AFTER_MS = (RENEW_SIGN_IN_EVERY_DAYS - 1) * DAY_MS;
// Each renewal is one token request; a pass renews a bounded number and the next pass goes on.
const PER_PASS = 25;
const LEASE_MS = 60_000;

export interface RenewalReport {
  renewed: number;
  /** Sign-ins Microsoft refused (revoked, expired): re-authentication is the only way back. */
  dead: number;
  /** Transient failures: tried again by the next pass. */
  failed: number;
}

/**
 * Uses the refresh token of every account whose sign-in was not renewed for 13 days, and persists the rotated
 * one (the token cache plugin saves it before the token is used). Accounts that sync are renewed by their syncs
 * and never get here. Part of every scheduled pass (cron route, `npm run sync`, the embedded schedule).
 */
export async function keepSignInsAlive(
  db: Db,
  options: {
    now?: Date;
    owner?: string;
    limit?: number;
    /** Wall-clock ms after which no renewal starts. */ deadline?: number;
  } = {},
): Promise<RenewalReport> {
  const now = options.now ?? new Date();
  const owner = options.owner ?? defaultLeaseOwner();
  const report: RenewalReport = { renewed: 0, dead: 0, failed: 0 };
  const stale = await leaseStaleSignIns(db, {
    owner,
    leaseMs: LEASE_MS,
    renewedBefore: new Date(now.getTime() - DUE_AFTER_MS),
    limit: options.limit ?? PER_PASS,
  });
  if (stale.length === 0) return report;
  let app: Promise<AppWithSecret | null> | undefined;
  for (const account of stale) {
    if (options.deadline !== undefined && Date.now() >= options.deadline) {
      await finishSignInRenewal(db, account.id, owner);
      continue;
    }
    let dead: Parameters<typeof finishSignInRenewal>[3];
    try {
      const loadApp = () => (app ??= loadAppWithSecret(db));
      if (account.transport === 'graph') {
        // A Graph sign-in's refresh token is redeemed for the Graph permissions it was given, not Outlook's.
        const access = await acquireAccountAccess(db, account.id, { app: loadApp });
        if (access.transport === 'graph') await access.graph.token({ forceRefresh: true });
      } else {
        await acquireMailAccess(db, account.id, { forceRefresh: true, app: loadApp });
      }
      report.renewed += 1;
    } catch (error) {
      const explained = error instanceof TokenError ? error.explained : undefined;
      if (explained?.scope === 'account') {
        report.dead += 1;
        // A disabled account stays disabled (an admin chose that); its page shows why it cannot come back as is.
        dead = {
          status: account.status === 'disabled' ? 'disabled' : 'needs_reauth',
          lastError: {
            code: explained.code,
            message: explained.title,
            hint: explained.action,
            at: new Date().toISOString(),
          },
        };
      } else {
        report.failed += 1;
      }
      logger('sign-in').warn({ accountId: account.id, code: explained?.code }, 'renewing an idle sign-in failed');
    } finally {
      await finishSignInRenewal(db, account.id, owner, dead).catch((error: unknown) =>
        logger('sign-in').error({ err: error, accountId: account.id }, 'freeing a renewal lease failed'),
      );
    }
  }
  return report;
}
