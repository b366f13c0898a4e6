import 'server-only';
import { randomBytes } from 'node:crypto';
import { accountMissing } from '@/lib/channels/microsoft365/accounts';
import { productSyncDeps } from '@/lib/channels/microsoft365/sync-deps';
import { sendFromMailbox } from '@/lib/channels/microsoft365/send-test';
import type { Db } from '@/lib/db/types';
import { findAccount } from '@/lib/db/queries/mail-accounts';
import { deleteMailFlowChecks, findMessageBySubjectToken } from '@/lib/db/queries/verification';
import { fail, type Failure, type Result } from '@/lib/errors';
import type { ExplainedError } from '@/lib/microsoft/errors';
import { runSync } from '@/lib/sync/run';

export const VERIFY_WAIT_MS = 60_000;
const POLL_MS = 2_000;
export const MAIL_FLOW_SUBJECT = 'Mailgate 365 mail flow check';
/** Set on every check message, so the product (and anything reading the stored originals) can tell them. */
export const MAIL_FLOW_HEADER = 'X-Mailgate-Check';
const MAIL_FLOW_HEADER_LINE = `${MAIL_FLOW_HEADER}: mail-flow`;

/** One direction of the check: how long it took, why it failed, or that it was not tried (sending failed). */
export type Leg = Result<{ durationMs: number; removed?: number }, ExplainedError> | { ok: false; skipped: true };
export interface VerifyLegs {
  send: Leg;
  receive: Leg;
}
/** The check ran (each leg says how it went), or the mailbox cannot be checked. */
export type VerifyResult = Result<VerifyLegs, Failure<'account.missing' | 'account.inactive'>>;

/**
 * The round trip that proves both directions: send a message with a unique token to the mailbox itself (over
 * SMTP or through Graph, as the mailbox was connected), then sync until it is stored (bounded wait). Says which leg
 * failed and why. The check messages are marked with a header and deleted from the console once seen (also any
 * that arrived after an earlier check gave up), so nothing reading the stored mail, such as a help desk, takes them
 * for customer mail.
 */
export async function verifyMailFlow(
  db: Db,
  admin: { id: string; email: string },
  accountId: string,
  waitMs = VERIFY_WAIT_MS,
): Promise<VerifyResult> {
  const account = await findAccount(db, accountId);
  if (!account || account.removedAt) return accountMissing();
  if (account.status !== 'active' && account.status !== 'error')
    return fail('account.inactive', 'Only an active mailbox can be verified: re-authenticate or enable it first.');
  const token = randomBytes(6).toString('hex');
  const subject = `${MAIL_FLOW_SUBJECT} ${token}`;
  const sent = await sendFromMailbox(
    db,
    admin,
    accountId,
    {
      to: account.emailAddress,
      subject,
      body: 'This message was sent by Mailgate 365 to check that this mailbox can send and receive. It can be deleted.',
    },
    { [MAIL_FLOW_HEADER]: `mail-flow ${token}` },
  );
  if (!sent.ok) return { ok: true, send: sent, receive: { ok: false, skipped: true } };

  const started = Date.now();
  while (Date.now() - started < waitMs) {
    // Another worker may hold the lease; then its sync stores the message and the lookup below still finds it.
    await runSync(productSyncDeps(db, { budgetMs: Math.max(5_000, waitMs - (Date.now() - started)) }), {
      accountIds: [accountId],
      trigger: 'manual',
    });
    if (await findMessageBySubjectToken(db, accountId, token)) {
      const durationMs = Date.now() - started;
      const removed = await deleteMailFlowChecks(db, accountId, {
        subjectPrefix: MAIL_FLOW_SUBJECT,
        headerLine: MAIL_FLOW_HEADER_LINE,
      });
      return { ok: true, send: sent, receive: { ok: true, durationMs, removed } };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    ok: true,
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
