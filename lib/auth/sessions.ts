import 'server-only';
import { getEnv } from '@/lib/config/env';
import type { Db } from '@/lib/db/types';
import {
  forgetEndedAdminSessions,
  listLiveAdminSessions,
  openAdminSession,
  revokeAdminSession,
  revokeAdminSessions,
  touchAdminSession,
  type AdminSession,
} from '@/lib/db/queries/admin-sessions';

export interface SessionPolicy {
  lifetimeSeconds: number;
  idleSeconds: number;
}

export function sessionPolicy(): SessionPolicy {
  const env = getEnv();
  return { lifetimeSeconds: env.SESSION_LIFETIME_HOURS * 3600, idleSeconds: env.SESSION_IDLE_MINUTES * 60 };
}

const ago = (now: Date, seconds: number) => new Date(now.getTime() - seconds * 1000);

/** A user agent is the browser's own claim, shown to admins: kept short, without control or bidi-override characters. */
function userAgentOf(headers: Headers): string | null {
  const value = headers
    .get('user-agent')
    ?.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  return value ? value.slice(0, 300) : null;
}

export async function startSession(
  db: Db,
  input: { adminId: string; headers: Headers; client: string },
  policy = sessionPolicy(),
  now = new Date(),
): Promise<AdminSession> {
  // Sign-in is rare: a good moment to drop sessions that ended long ago.
  await forgetEndedAdminSessions(db, ago(now, 24 * 3600), ago(now, policy.idleSeconds));
  return openAdminSession(db, {
    adminId: input.adminId,
    now,
    expiresAt: new Date(now.getTime() + policy.lifetimeSeconds * 1000),
    userAgent: userAgentOf(input.headers),
    clientAddress: input.client,
  });
}

/** The session while it lives (and marks it seen), else undefined: revoked, past its lifetime, or idle too long. */
export function resumeSession(
  db: Db,
  id: string,
  adminId: string,
  policy = sessionPolicy(),
  now = new Date(),
): Promise<AdminSession | undefined> {
  return touchAdminSession(db, { id, adminId, now, idleSince: ago(now, policy.idleSeconds) });
}

export function endSession(db: Db, id: string, adminId: string, now = new Date()): Promise<boolean> {
  return revokeAdminSession(db, id, adminId, now);
}

/** Ends an admin's sessions; `except` keeps the one that asked (a password change keeps its own browser). */
export function endSessionsOf(db: Db, adminId: string, except?: string, now = new Date()): Promise<number> {
  return revokeAdminSessions(db, adminId, now, except);
}

export function liveSessions(db: Db, policy = sessionPolicy(), now = new Date()): Promise<AdminSession[]> {
  return listLiveAdminSessions(db, now, ago(now, policy.idleSeconds));
}
