import 'server-only';
import { z } from 'zod';
import { endPushSubscription } from '@/lib/channels/microsoft365/push-subscriptions';
import type { Db } from '@/lib/db/types';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { deleteAccount, findAccount, updateAccount, type MailAccount } from '@/lib/db/queries/mail-accounts';
import { fail, type Failure, type Result } from '@/lib/errors';

type Admin = { id: string; email: string };

export const accountSettingsSchema = z
  .object({
    folders: z
      .array(
        z
          .string('Choose the folders from the list.')
          .trim()
          .min(1, 'A folder name cannot be empty.')
          .max(1000, 'A folder name is at most 1,000 characters.')
          // No IMAP server has such a folder, and Postgres refuses NUL in text.
          .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'A folder name cannot contain control characters.'),
      )
      .min(1, 'Choose at least one folder.')
      .max(50, 'Choose at most 50 folders.'),
    afterFetch: z.enum(['keep', 'mark_seen', 'delete'], {
      message: 'Choose what happens in the mailbox after a message is stored.',
    }),
    confirmDelete: z.string().optional(),
  })
  .refine((v) => v.afterFetch !== 'delete' || v.confirmDelete === 'yes', {
    path: ['confirmDelete'],
    message: 'Confirm that messages are deleted from the mailbox once they are stored here.',
  });

export type AccountSettings = z.infer<typeof accountSettingsSchema>;

export const mailboxAddressSchema = z.object({
  address: z
    .email('Enter the mailbox’s e-mail address, e.g. alice@contoso.com.')
    .max(254, 'Use an e-mail address of at most 254 characters.')
    .transform((v) => v.toLowerCase()),
});

async function audit(db: Db, admin: Admin, account: MailAccount, action: string, details?: Record<string, unknown>) {
  await recordAuditEvent(db, {
    adminId: admin.id,
    adminEmail: admin.email,
    action,
    accountId: account.id,
    target: account.emailAddress,
    details,
  });
}

export type AccountResult = Result<{ account: MailAccount }, Failure<'account.missing'>>;

/** The one answer for an unknown, removed or malformed mailbox id. */
export const accountMissing = () => fail('account.missing', 'That mailbox no longer exists.');

/** Live (not removed) accounts only: everything below refuses a removed or unknown id the same way. */
async function liveAccount(db: Db, id: string): Promise<MailAccount | null> {
  const account = await findAccount(db, id);
  return account && !account.removedAt ? account : null;
}

/** An update that found no row means the account was deleted meanwhile: the same answer as an unknown id. */
const updated = (account: MailAccount | undefined): AccountResult =>
  account ? { ok: true, account } : accountMissing();

export async function changeAccountSettings(
  db: Db,
  admin: Admin,
  id: string,
  settings: AccountSettings,
): Promise<AccountResult> {
  const account = await liveAccount(db, id);
  if (!account) return accountMissing();
  const folders = [...new Set(settings.folders)];
  const saved = await updateAccount(db, id, { folders, afterFetch: settings.afterFetch });
  await audit(db, admin, account, 'account.settings_changed', { folders, afterFetch: settings.afterFetch });
  return updated(saved);
}

export async function setAccountEnabled(db: Db, admin: Admin, id: string, enabled: boolean): Promise<AccountResult> {
  const account = await liveAccount(db, id);
  if (!account) return accountMissing();
  // Enabling returns to 'active' and is due at once; an account that needs re-auth keeps needing it.
  const status = enabled ? (account.status === 'needs_reauth' ? 'needs_reauth' : 'active') : 'disabled';
  // Graph stops posting for a mailbox nobody syncs; re-enabled, its next sync subscribes again.
  if (!enabled) await endPushSubscription(db, id);
  const saved = await updateAccount(
    db,
    id,
    enabled ? { status, consecutiveFailures: 0, nextAttemptAt: new Date() } : { status },
  );
  await audit(db, admin, account, enabled ? 'account.enabled' : 'account.disabled');
  return updated(saved);
}

/**
 * Corrects the mailbox address (From, Verify, display), never the sign-in: Microsoft's email claim is only a
 * suggestion, and the Verify round trip is what proves the corrected address.
 */
export async function correctMailboxAddress(db: Db, admin: Admin, id: string, address: string): Promise<AccountResult> {
  const account = await liveAccount(db, id);
  if (!account) return accountMissing();
  if (account.emailAddress === address) return { ok: true, account };
  const saved = await updateAccount(db, id, { emailAddress: address });
  await audit(db, admin, account, 'account.address_changed', { from: account.emailAddress, to: address });
  return updated(saved);
}

/**
 * Removes a mailbox. Its token is wiped either way; its stored mail is kept (the account row stays, hidden)
 * or deleted with it.
 */
export async function removeAccount(db: Db, admin: Admin, id: string, keepMessages: boolean): Promise<AccountResult> {
  const account = await liveAccount(db, id);
  if (!account) return accountMissing();
  // Before the sign-in is wiped: ending the subscription at Graph needs the mailbox's token.
  await endPushSubscription(db, id);
  if (keepMessages) {
    await updateAccount(db, id, {
      removedAt: new Date(),
      status: 'disabled',
      tokenCacheSealed: null,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
  } else {
    await deleteAccount(db, id);
  }
  await audit(db, admin, account, 'account.removed', { keptMessages: keepMessages });
  return { ok: true, account };
}
