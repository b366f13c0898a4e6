import 'server-only';
import { secrets } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/types';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import {
  countAccountsSignedInWith,
  restoreAccountsSignedInWith,
  suspendAccountsSignedInWith,
} from '@/lib/db/queries/mail-accounts';
import {
  deactivateApp,
  findActiveApp,
  findPreviousApp,
  insertActiveApp,
  reactivateApp,
  updateApp,
  type Microsoft365App,
} from '@/lib/db/queries/microsoft365-apps';
import {
  accessRefusal,
  type AppCredentialsInput,
  type MailAccess,
  type MailTransport,
} from '@/lib/channels/microsoft365/app-credentials-schema';
import { checkAppCredentials, type CredentialCheck } from '@/lib/channels/microsoft365/check-app-credentials';
import { fail, type Failure, type Result } from '@/lib/errors';
import { countOf } from '@/lib/format/count';
import type { CloudName } from '@/lib/microsoft/clouds';
import { transaction } from '@/lib/db/transaction';

export const CLIENT_SECRET_CONTEXT = 'microsoft365_apps.client_secret';
const EXPIRY_WARNING_DAYS = 30;

/** What the browser may know about the app: never the secret, only that one is set and its last 4 characters. */
export interface AppView {
  id: string;
  clientId: string;
  tenant: string;
  cloud: CloudName;
  /** What mailboxes connected from now on use; each mailbox keeps what it was connected with. */
  transport: MailTransport;
  access: MailAccess;
  secretHint: string;
  secretExpiresOn: string | null;
  secretExpiresInDays: number | null;
  secretExpiryWarning: boolean;
  updatedAt: Date;
}

export function toAppView(app: Microsoft365App, now = new Date()): AppView {
  const days = app.secretExpiresOn
    ? Math.ceil((Date.parse(`${app.secretExpiresOn}T00:00:00Z`) - now.getTime()) / 86_400_000)
    : null;
  return {
    id: app.id,
    clientId: app.clientId,
    tenant: app.tenant,
    cloud: app.cloud,
    transport: app.transport,
    access: app.access,
    secretHint: `••••${app.clientSecretHint}`,
    secretExpiresOn: app.secretExpiresOn,
    secretExpiresInDays: days,
    secretExpiryWarning: days !== null && days <= EXPIRY_WARNING_DAYS,
    updatedAt: app.updatedAt,
  };
}

export async function getAppView(db: Db): Promise<AppView | null> {
  const app = await findActiveApp(db);
  return app ? toAppView(app) : null;
}

/** Why the app was not saved: the form field to fix, and what Microsoft said of the credentials if it was asked. */
export type SaveAppFailure = Failure<'app.secret_missing' | 'app.refused' | 'app.confirm_reauth'> & {
  field: string;
  check?: CredentialCheck;
  mustReauthenticate?: number;
};

export type SaveAppResult = Result<
  { app: AppView; check: CredentialCheck; mustReauthenticate: number; restored: number },
  SaveAppFailure
>;

function refused(
  code: SaveAppFailure['code'],
  field: string,
  message: string,
  more: Pick<SaveAppFailure, 'check' | 'mustReauthenticate'> = {},
): { ok: false; error: SaveAppFailure } {
  return { ok: false, error: { ...fail(code, message).error, field, ...more } };
}

export const APP_REPLACED = 'app.replaced';

/**
 * Saves the app registration after Microsoft has checked it (where it can). A new secret alone keeps every
 * mailbox connected (refresh tokens belong to the client ID, not the secret). A new client ID or cloud orphans
 * the mailboxes signed in with the old one: that needs `confirmedReauth` to equal how many they are, and the
 * old registration is kept, so entering its client ID again brings them back as they were.
 */
export async function saveAppCredentials(
  db: Db,
  /** Transport and access default to IMAP and delegated, as the form's do. */
  entered: Omit<AppCredentialsInput, 'transport' | 'access'> &
    Partial<Pick<AppCredentialsInput, 'transport' | 'access'>>,
  /** Who saves it; `id` null for a command such as `npm run demo`, named by `email` in the audit log. */
  admin: { id: string | null; email: string },
  options: { confirmedReauth?: number; check?: typeof checkAppCredentials } = {},
): Promise<SaveAppResult> {
  const input = { ...entered, transport: entered.transport ?? 'imap', access: entered.access ?? 'delegated' };
  // The form refuses these too; a caller that skips the form must not save an app that cannot work.
  const refusal = accessRefusal(input);
  if (refusal) return refused('app.refused', refusal.field, refusal.message);
  const existing = await findActiveApp(db);
  const replaces = existing !== undefined && (existing.clientId !== input.clientId || existing.cloud !== input.cloud);
  const previous = replaces ? await findPreviousApp(db, input.clientId, input.cloud) : undefined;
  // The secret to check and keep: the one typed, else the one this registration had, else the current one.
  const sealed = input.clientSecret
    ? {
        clientSecretSealed: secrets().seal(input.clientSecret, CLIENT_SECRET_CONTEXT),
        clientSecretHint: input.clientSecret.slice(-4),
      }
    : (previous ?? existing);
  if (!sealed) {
    return refused(
      'app.secret_missing',
      'clientSecret',
      'Enter the client secret’s Value (not its Secret ID) from Certificates & secrets.',
    );
  }
  const check = await (options.check ?? checkAppCredentials)({
    clientId: input.clientId,
    clientSecret: input.clientSecret || secrets().open(sealed.clientSecretSealed, CLIENT_SECRET_CONTEXT),
    tenant: input.tenant,
    cloud: input.cloud,
  });
  if (check.result === 'refused') return refused('app.refused', check.field, check.message, { check });

  const mustReauthenticate = replaces && existing ? await countAccountsSignedInWith(db, existing.id) : 0;
  if (mustReauthenticate > 0 && options.confirmedReauth !== mustReauthenticate) {
    return refused('app.confirm_reauth', 'confirmReauth', confirmationText(mustReauthenticate), {
      check,
      mustReauthenticate,
    });
  }

  const values = {
    clientId: input.clientId,
    tenant: input.tenant,
    cloud: input.cloud,
    transport: input.transport,
    access: input.access,
    secretExpiresOn: input.secretExpiresOn,
    clientSecretSealed: sealed.clientSecretSealed,
    clientSecretHint: sealed.clientSecretHint,
  };
  const result = await transaction(db, async (tx) => {
    if (!existing) return { app: await insertActiveApp(tx, values), suspended: 0, restored: 0 };
    if (!replaces) return { app: await updateApp(tx, existing.id, values), suspended: 0, restored: 0 };
    await deactivateApp(tx, existing.id);
    const app = previous ? await reactivateApp(tx, previous.id, values) : await insertActiveApp(tx, values);
    const suspended = await suspendAccountsSignedInWith(tx, existing.id, {
      code: APP_REPLACED,
      message: 'The Microsoft 365 app registration changed, so this mailbox’s sign-in no longer applies.',
      hint: 'Re-authenticate the mailbox, or enter the previous client ID again to bring it back as it was.',
      at: new Date().toISOString(),
    });
    const restored = await restoreAccountsSignedInWith(tx, app.id, APP_REPLACED);
    return { app, suspended, restored };
  });

  await recordAuditEvent(db, {
    adminId: admin.id,
    adminEmail: admin.email,
    action: existing ? 'app.updated' : 'app.created',
    target: input.clientId,
    details: {
      tenant: input.tenant,
      cloud: input.cloud,
      transport: input.transport,
      access: input.access,
      secretChanged: Boolean(input.clientSecret),
      clientIdChanged: replaces,
      mustReauthenticate: result.suspended,
      restored: result.restored,
      checked: check.result,
    },
  });
  return {
    ok: true,
    app: toAppView(result.app),
    check,
    mustReauthenticate: result.suspended,
    restored: result.restored,
  };
}

export function confirmationText(count: number): string {
  return `Confirm that ${countOf(count, 'mailbox', 'mailboxes')} signed in with the current client ID must re-authenticate.`;
}

/** The app with its secret opened, for msal; server code only. */
export type AppWithSecret = Microsoft365App & { clientSecret: string };

export async function loadAppWithSecret(db: Db): Promise<AppWithSecret | null> {
  const app = await findActiveApp(db);
  return app ? { ...app, clientSecret: secrets().open(app.clientSecretSealed, CLIENT_SECRET_CONTEXT) } : null;
}
