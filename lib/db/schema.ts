import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

// drizzle has no bytea column; raw message sources and attachment bytes must round-trip byte-exact.
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const admins = pgTable('admins', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
  lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
  // Two-factor sign-in: the authenticator secret sealed (lib/crypto/seal.ts), and the last time step a code was
  // accepted for, so one code never signs in twice.
  totpSecretSealed: text('totp_secret_sealed'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  totpLastTimeStep: bigint('totp_last_time_step', { mode: 'number' }),
});

// One-time recovery codes for two-factor sign-in, shown once; only their hashes are kept.
export const adminRecoveryCodes = pgTable(
  'admin_recovery_codes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('admin_recovery_codes_hash').on(t.adminId, t.codeHash)],
);

// Sign-in throttle buckets, in the database so the limit holds across instances. One row per bucket: an
// (e-mail, client) pair or a client address. Every attempt is counted before its password is checked, so
// concurrent guesses cannot all slip through; a success forgives its own pair.
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    attempts: integer('attempts').notNull(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }).notNull(),
    blockedUntil: timestamp('blocked_until', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('sign_in_throttle_last_attempt').on(t.lastAttemptAt)],
);

// Server-side sessions: the cookie only names one of these, so signing out, removing an admin or changing a
// password ends it everywhere, and its absolute lifetime cannot be renewed.
export const adminSessions = pgTable(
  'admin_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    userAgent: text('user_agent'),
    clientAddress: text('client_address'),
  },
  (t) => [index('admin_sessions_admin').on(t.adminId, t.lastSeenAt.desc())],
);

// Single-use invitations for another administrator; only a hash of the link's token is kept.
export const adminInvites = pgTable(
  'admin_invites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    email: text('email').notNull(),
    invitedBy: uuid('invited_by').references(() => admins.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [index('admin_invites_expires').on(t.expiresAt)],
);

export interface AccountError {
  code: string;
  message: string;
  hint?: string;
  at: string;
}

// `gcc_high` was `usgov` (same hosts); renamed in place when DoD became its own choice.
export const cloudEnum = pgEnum('microsoft_cloud', ['global', 'gcc_high', 'dod', 'china']);

/**
 * How a mailbox's mail is reached: IMAP and SMTP (XOAUTH2), or Microsoft Graph's mail API. With `application`
 * access the app reads mailboxes with its own client-credentials token (no sign-in per mailbox; admin consent and,
 * optionally, Exchange's RBAC for Applications decide which); `delegated` is a person's sign-in, as on day one.
 */
export const mailTransportEnum = pgEnum('mail_transport', ['imap', 'graph']);
export const mailAccessEnum = pgEnum('mail_access', ['delegated', 'application']);

export const microsoft365Apps = pgTable(
  'microsoft365_apps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    clientId: text('client_id').notNull(),
    tenant: text('tenant').notNull(),
    cloud: cloudEnum('cloud').notNull().default('global'),
    clientSecretSealed: text('client_secret_sealed').notNull(),
    clientSecretHint: text('client_secret_hint').notNull(),
    secretExpiresOn: date('secret_expires_on', { mode: 'string' }),
    // What new mailboxes connect with; each account keeps what it was connected with (mail_accounts).
    transport: mailTransportEnum('transport').notNull().default('imap'),
    access: mailAccessEnum('access').notNull().default('delegated'),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('microsoft365_apps_one_active')
      .on(t.active)
      .where(sql`${t.active}`),
  ],
);

/** Where the mailbox address shown at the end of connect came from, so the page can say how sure it is. */
export type MailboxAddressSource = 'email_claim' | 'sign_in_name' | 'kept' | 'shared_mailbox';

export type OAuthFlowOutcome =
  | { ok: true; accountId: string; warning?: AccountError; addressSource?: MailboxAddressSource }
  | {
      ok: false;
      error: {
        code: string;
        title: string;
        explanation: string;
        action: string;
        whoActs: string;
        raw?: string;
        link?: { label: string; href: string };
        needsAdminConsent?: boolean;
      };
    };

export const oauthIntentEnum = pgEnum('oauth_intent', ['connect', 'reauthenticate', 'shared_mailbox', 'admin_consent']);

export const oauthFlows = pgTable(
  'oauth_flows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    state: text('state').notNull().unique(),
    codeVerifierSealed: text('code_verifier_sealed').notNull(),
    nonce: text('nonce').notNull(),
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    appId: uuid('app_id')
      .notNull()
      .references(() => microsoft365Apps.id, { onDelete: 'cascade' }),
    intent: oauthIntentEnum('intent').notNull(),
    accountId: uuid('account_id'),
    sharedMailbox: text('shared_mailbox'),
    loginHint: text('login_hint'),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    // How the flow ended, for the result page: the explained error (never a token), or the account it connected.
    outcome: jsonb('outcome').$type<OAuthFlowOutcome>(),
  },
  (t) => [index('oauth_flows_expires_at').on(t.expiresAt)],
);

export const accountStatusEnum = pgEnum('account_status', ['active', 'needs_reauth', 'disabled', 'error']);
export const accountKindEnum = pgEnum('account_kind', ['user', 'shared']);
export const afterFetchEnum = pgEnum('after_fetch', ['keep', 'mark_seen', 'delete']);

export const mailAccounts = pgTable(
  'mail_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    appId: uuid('app_id').references(() => microsoft365Apps.id, { onDelete: 'set null' }),
    kind: accountKindEnum('kind').notNull().default('user'),
    // Application access has no sign-in: `home_account_id` is then `app:<client id>` and `imap_user` the address.
    transport: mailTransportEnum('transport').notNull().default('imap'),
    access: mailAccessEnum('access').notNull().default('delegated'),
    emailAddress: text('email_address').notNull(),
    displayName: text('display_name'),
    homeAccountId: text('home_account_id').notNull(),
    tenantId: text('tenant_id').notNull(),
    signInAddress: text('sign_in_address').notNull(),
    imapUser: text('imap_user').notNull(),
    tokenCacheSealed: text('token_cache_sealed'),
    status: accountStatusEnum('status').notNull().default('active'),
    folders: text('folders')
      .array()
      .notNull()
      .default(sql`ARRAY['INBOX']::text[]`),
    afterFetch: afterFetchEnum('after_fetch').notNull().default('keep'),
    lastSyncedAt: timestamp('last_synced_at', { withTimezone: true }),
    // When Microsoft last issued this account tokens (a refresh or a sign-in): its refresh token lapses 90 days
    // later unless used again. Null until first recorded (accounts connected before this column).
    signInRenewedAt: timestamp('sign_in_renewed_at', { withTimezone: true }),
    lastSyncOutcome: text('last_sync_outcome'),
    lastError: jsonb('last_error').$type<AccountError>(),
    smtpWarning: jsonb('smtp_warning').$type<AccountError>(),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    // Removed but its stored mail kept: hidden from the channel, never synced, tokens wiped.
    removedAt: timestamp('removed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // The same Microsoft account opening the same mailbox is one account: re-auth updates, never duplicates.
    uniqueIndex('mail_accounts_identity').on(t.homeAccountId, t.imapUser),
    index('mail_accounts_due').on(t.status, t.nextAttemptAt),
  ],
);

export const mailFolderState = pgTable(
  'mail_folder_state',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    folder: text('folder').notNull(),
    // IMAP's UIDVALIDITY is never 0 (RFC 9051, nz-number): a Graph folder, which has none, keeps 0.
    uidValidity: bigint('uidvalidity', { mode: 'number' }).notNull(),
    lastUid: bigint('last_uid', { mode: 'number' }).notNull().default(0),
    highestModseq: text('highest_modseq'),
    uidNext: bigint('uid_next', { mode: 'number' }),
    messagesOnServer: integer('messages_on_server'),
    // Graph: the folder's id and the delta link that is its watermark, written in the batch's transaction.
    graphFolderId: text('graph_folder_id'),
    deltaLink: text('delta_link'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.folder] })],
);

/** The expression the search index is built on; queries must use the same one to hit the index. */
export function messageSearchVector(t: { subject: AnyPgColumn; fromAddress: AnyPgColumn; text: AnyPgColumn }) {
  return sql`to_tsvector('simple', coalesce(${t.subject}, '') || ' ' || coalesce(${t.fromAddress}, '') || ' ' || left(coalesce(${t.text}, ''), 100000))`;
}

export const messages = pgTable(
  'messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    folder: text('folder').notNull(),
    // Null for mail fetched through Graph, which has its own id instead (messages_has_key: one or the other).
    uidValidity: bigint('uidvalidity', { mode: 'number' }),
    uid: bigint('uid', { mode: 'number' }),
    // Graph's immutable id (`Prefer: IdType="ImmutableId"`), which survives moves between folders.
    graphId: text('graph_id'),
    messageId: text('message_id'),
    inReplyTo: text('in_reply_to'),
    subject: text('subject'),
    fromAddress: text('from_address'),
    toAddresses: text('to_addresses')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    ccAddresses: text('cc_addresses')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    replyTo: text('reply_to')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    date: timestamp('date', { withTimezone: true }),
    dateHeader: text('date_header'),
    internalDate: timestamp('internal_date', { withTimezone: true }).notNull(),
    size: integer('size').notNull(),
    flags: text('flags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    snippet: text('snippet'),
    text: text('text'),
    html: text('html'),
    hasAttachments: boolean('has_attachments').notNull().default(false),
    parseError: text('parse_error'),
    skippedReason: text('skipped_reason'),
    // A UIDVALIDITY change re-lists old mail under new UIDs: the copy is linked, not stored again.
    duplicateOf: bigint('duplicate_of', { mode: 'number' }),
    fetchedAt: timestamp('fetched_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_account_folder_uid').on(t.accountId, t.folder, t.uidValidity, t.uid),
    uniqueIndex('messages_account_graph_id')
      .on(t.accountId, t.graphId)
      .concurrently()
      .where(sql`${t.graphId} is not null`),
    check('messages_has_key', sql`(${t.uid} is not null and ${t.uidValidity} is not null) or ${t.graphId} is not null`),
    index('messages_account_newest').on(t.accountId, t.internalDate.desc(), t.id.desc()),
    index('messages_newest').on(t.internalDate.desc(), t.id.desc()),
    index('messages_message_id').on(t.messageId),
    // Full-text search over subject, sender and the first 100k characters of text ('simple': no stemming, so
    // every language matches as typed; the cap keeps each tsvector under Postgres's 1 MB limit).
    index('messages_search').using('gin', messageSearchVector(t)),
    // The "parse error" and "skipped" filters select a sliver of rows: a partial index keeps them fast at 1M rows.
    index('messages_problems_newest')
      .on(t.internalDate.desc(), t.id.desc())
      .where(sql`${t.parseError} is not null or ${t.skippedReason} is not null`),
  ],
);

/**
 * Messages the server lists (UID SEARCH) but will not serve: Exchange Online's FETCH returns nothing for some
 * UIDs (jstedfast/MailKit#1615) or a "Retrieval using the IMAP4 protocol failed" placeholder instead of an item
 * it cannot convert (Foundry376/Mailspring#2038). Recorded before the watermark passes them, retried every run,
 * removed once stored or once the server no longer lists them (expunged).
 */
export const unretrievableMessages = pgTable(
  'unretrievable_messages',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    folder: text('folder').notNull(),
    uidValidity: bigint('uidvalidity', { mode: 'number' }).notNull(),
    uid: bigint('uid', { mode: 'number' }).notNull(),
    // 'no_data': FETCH answered without the message; 'placeholder': Exchange served its retrieval-failed notice.
    reason: text('reason').notNull(),
    attempts: integer('attempts').notNull().default(1),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    lastTriedAt: timestamp('last_tried_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.folder, t.uidValidity, t.uid] })],
);

export const messageSources = pgTable('message_sources', {
  messageId: bigint('message_id', { mode: 'number' })
    .primaryKey()
    .references(() => messages.id, { onDelete: 'cascade' }),
  source: bytea('source').notNull(),
  sha256: text('sha256').notNull(),
});

export const attachments = pgTable(
  'attachments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    messageId: bigint('message_id', { mode: 'number' })
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    filename: text('filename'),
    originalFilename: text('original_filename'),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    contentId: text('content_id'),
    inline: boolean('inline').notNull().default(false),
    checksum: text('checksum').notNull(),
    // Null since attachments are decoded from message_sources on download; rows stored before that keep theirs.
    content: bytea('content'),
  },
  (t) => [index('attachments_message').on(t.messageId)],
);

export const syncOutcomeEnum = pgEnum('sync_outcome', ['running', 'success', 'partial', 'failed']);

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    trigger: text('trigger').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    messages: integer('messages').notNull().default(0),
    bytes: bigint('bytes', { mode: 'number' }).notNull().default(0),
    outcome: syncOutcomeEnum('outcome').notNull().default('running'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
  },
  (t) => [index('sync_runs_account_started').on(t.accountId, t.startedAt.desc())],
);

/**
 * Which worker holds an IMAP IDLE connection on a mailbox's INBOX, apart from the sync lease (which a sync run
 * takes for minutes at most): one watcher per mailbox across workers. The owner renews `expires_at` with a
 * heartbeat; a row past it belongs to a dead worker and is taken over. `heartbeat_at` tells the console the
 * mailbox is watched.
 */
export const mailboxWatches = pgTable(
  'mailbox_watches',
  {
    accountId: uuid('account_id')
      .primaryKey()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    owner: text('owner').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('mailbox_watches_owner').on(t.owner)],
);

/**
 * A Graph change-notification subscription on a mailbox's Inbox. Only a hash of its clientState is kept: a
 * notification's clientState is hashed and compared in constant time. Renewed before `expires_at`.
 */
export const graphSubscriptions = pgTable(
  'graph_subscriptions',
  {
    accountId: uuid('account_id')
      .primaryKey()
      .references(() => mailAccounts.id, { onDelete: 'cascade' }),
    subscriptionId: text('subscription_id').notNull().unique(),
    clientStateHash: text('client_state_hash').notNull(),
    resource: text('resource').notNull(),
    notificationUrl: text('notification_url').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    renewedAt: timestamp('renewed_at', { withTimezone: true }),
    lastNotificationAt: timestamp('last_notification_at', { withTimezone: true }),
    // The last lifecycle event (reauthorizationRequired, subscriptionRemoved, missed) and when it came.
    lastLifecycleEvent: text('last_lifecycle_event'),
    lastLifecycleAt: timestamp('last_lifecycle_at', { withTimezone: true }),
    lastError: jsonb('last_error').$type<AccountError>(),
  },
  (t) => [index('graph_subscriptions_expires').on(t.expiresAt)],
);

// Kept after an account or admin is removed: ids are not foreign keys, the e-mail is copied in.
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    adminId: uuid('admin_id'),
    adminEmail: text('admin_email'),
    action: text('action').notNull(),
    accountId: uuid('account_id'),
    target: text('target'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_events_at').on(t.at.desc())],
);
