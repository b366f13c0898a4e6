import 'server-only';
import { randomBytes } from 'node:crypto';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import { sendFromMailbox } from '@/lib/channels/microsoft365/send-test';
import type { Db } from '@/lib/db';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import { findMessageBySubjectToken } from '@/lib/db/queries/verification';
import type { ExplainedError } from '@/lib/microsoft/errors';
import { runSync } from '@/lib/sync/run';

export const VERIFY_WAIT_MS = 60_000;
const POLL_MS = 2_000;

export type Leg =
  { ok: true; durationMs: number } | { ok: false; error: ExplainedError } | { ok: false; skipped: true };
export interface VerifyResult {
  send: Leg;
  receive: Leg;
}

/**
 * The round trip that proves both directions: send a message with a unique token to the mailbox itself over
 * SMTP, then sync until it is stored (bounded wait). Says which leg failed and why.
 */
export async function verifyMailFlow(
  db: Db,
  admin: { id: string; email: string },
  accountId: string,
  waitMs = VERIFY_WAIT_MS,
): Promise<VerifyResult> {
  const account = await findAccount(db, accountId);
  if (!account || account.removedAt) throw new Error('verifyMailFlow needs an existing account');
  const token = randomBytes(6).toString('hex');
  const subject = `Mailgate 365 mail flow check ${token}`;
  const sent = await sendFromMailbox(db, admin, accountId, {
    to: account.emailAddress,
    subject,
    body: 'This message was sent by Mailgate 365 to check that this mailbox can send and receive. It can be deleted.',
  });
  if (!sent.ok) return { send: sent, receive: { ok: false, skipped: true } };

  const started = Date.now();
  while (Date.now() - started < waitMs) {
    // Another worker may hold the lease; then its sync stores the message and the lookup below still finds it.
    await runSync(productSyncDeps(db, { budgetMs: Math.max(5_000, waitMs - (Date.now() - started)) }), {
      accountIds: [accountId],
      trigger: 'manual',
    });
    if (await findMessageBySubjectToken(db, accountId, token)) {
      return { send: sent, receive: { ok: true, durationMs: Date.now() - started } };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    send: sent,
    receive: {
      ok: false,
      error: {
        code: 'verify.not_received',
        title: `The message was sent but did not arrive within ${Math.round(waitMs / 1000)} seconds.`,
        explanation:
          'Exchange may be delaying it (spam filtering, transport rules), or the synced folders do not include the one it was delivered to.',
        action: 'Check the mailbox’s Junk folder and the folders chosen in Settings, then verify again.',
        whoActs: 'console_admin',
        scope: 'transient',
      },
    },
  };
}
