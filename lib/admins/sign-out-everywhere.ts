import 'server-only';
import type { Db } from '@/lib/db/types';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { endSessionsOf } from '@/lib/auth/sessions';
import type { SignedInAdmin } from '@/lib/auth/require-admin';

/** Ends every session of the signed-in admin, this browser's too (a lost laptop, a shared computer). */
export async function signOutEverywhere(db: Db, actor: SignedInAdmin): Promise<number> {
  const ended = await endSessionsOf(db, actor.id);
  await recordAuditEvent(db, {
    adminId: actor.id,
    adminEmail: actor.email,
    action: 'admin.signed_out_everywhere',
    target: actor.email,
    details: { endedSessions: ended },
  });
  return ended;
}
