import 'server-only';
import type { Db } from '@/lib/db/types';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import {
  updateAccount,
  upsertConnectedAccount,
  type MailAccount,
  type NewMailAccount,
} from '@/lib/db/queries/mail-accounts';
import type { OAuthFlowOutcome } from '@/lib/db/schema';
import { isAppError, visibleMessage } from '@/lib/errors';
import { logger } from '@/lib/logger';
import type { ExplainedError } from '@/lib/microsoft/errors';

type Failure = Pick<ExplainedError, 'code' | 'title' | 'explanation' | 'action' | 'whoActs'> &
  Partial<Pick<ExplainedError, 'raw' | 'link' | 'needsAdminConsent'>>;

export function connectFailure(error: Failure): OAuthFlowOutcome {
  const { code, title, explanation, action, whoActs, raw, link, needsAdminConsent } = error;
  return { ok: false, error: { code, title, explanation, action, whoActs, raw, link, needsAdminConsent } };
}

/** Anything unexpected becomes a plain sentence on the page; the details go to the log only. */
export function failureOf(error: unknown): Failure {
  if (isAppError(error)) {
    return {
      code: error.code,
      title: visibleMessage(error),
      explanation: 'The sign-in answer did not pass the console’s checks, so nothing was saved.',
      action: 'Try again. If it keeps failing, check the app credentials and the server log.',
      whoActs: 'console_admin',
    };
  }
  logger('connect').error({ err: error }, 'connecting a mailbox failed unexpectedly');
  return {
    code: 'unexpected',
    title: 'Connecting the mailbox failed unexpectedly.',
    explanation: 'Nothing was saved.',
    action: 'Try again. The server log has the details.',
    whoActs: 'console_admin',
  };
}

type ConnectedValues = Omit<NewMailAccount, 'id'> & { existingId?: string };

/** Creates, reconnects or re-authenticates the mailbox and writes the audit event. */
export async function saveConnectedMailbox(
  db: Db,
  admin: { id: string; email: string },
  values: ConnectedValues,
): Promise<MailAccount> {
  const { existingId, ...account } = values;
  let saved: MailAccount | undefined;
  let action: string;
  if (existingId) {
    saved = await updateAccount(db, existingId, {
      ...account,
      status: 'active',
      lastError: null,
      consecutiveFailures: 0,
      nextAttemptAt: new Date(),
    });
    action = 'account.reauthenticated';
  } else {
    const result = await upsertConnectedAccount(db, account);
    saved = result.account;
    action = result.created
      ? account.kind === 'shared'
        ? 'account.shared_connected'
        : 'account.connected'
      : 'account.reconnected';
  }
  if (!saved) throw new Error('the account row disappeared while saving');
  await recordAuditEvent(db, {
    adminId: admin.id,
    adminEmail: admin.email,
    action,
    accountId: saved.id,
    target: saved.emailAddress,
    details: account.kind === 'shared' ? { delegate: account.signInAddress } : undefined,
  });
  return saved;
}
