import 'server-only';
import { secrets } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';
import { requireReauthForAllAccounts } from '@/lib/db/queries/mail-accounts';
import { findActiveApp, insertActiveApp, updateApp, type Microsoft365App } from '@/lib/db/queries/microsoft365-apps';
import type { AppCredentialsInput } from '@/lib/channels/microsoft365/app-credentials-schema';
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

export type SaveAppResult =
  { ok: true; app: AppView; clientIdChanged: boolean } | { ok: false; fieldErrors: Record<string, string[]> };

/**
 * Saves the app registration. A new secret alone keeps every mailbox connected (refresh tokens belong to the
 * client ID, not the secret); a new client ID or cloud orphans them, so each mailbox is asked to sign in again.
 */
export async function saveAppCredentials(
  db: Db,
  input: AppCredentialsInput,
  admin: { id: string; email: string },
): Promise<SaveAppResult> {
  const existing = await findActiveApp(db);
  if (!existing && !input.clientSecret) {
    return {
      ok: false,
      fieldErrors: {
        clientSecret: ['Enter the client secret’s Value (not its Secret ID) from Certificates & secrets.'],
      },
    };
  }
  const secretFields = input.clientSecret
    ? {
        clientSecretSealed: secrets().seal(input.clientSecret, CLIENT_SECRET_CONTEXT),
        clientSecretHint: input.clientSecret.slice(-4),
      }
    : {};
  const values = {
    clientId: input.clientId,
    tenant: input.tenant,
    cloud: input.cloud,
    secretExpiresOn: input.secretExpiresOn,
    ...secretFields,
  };

  const result = await transaction(db, async (tx) => {
    if (!existing) {
      return { app: await insertActiveApp(tx, { ...values, ...requireSecret(secretFields) }), orphaned: false };
    }
    const orphaned = existing.clientId !== input.clientId || existing.cloud !== input.cloud;
    const app = await updateApp(tx, existing.id, values);
    if (orphaned) {
      await requireReauthForAllAccounts(tx, {
        code: 'app.replaced',
        message: 'The Microsoft 365 app registration changed, so this mailbox’s sign-in no longer applies.',
        hint: 'Re-authenticate the mailbox.',
        at: new Date().toISOString(),
      });
    }
    return { app, orphaned };
  });

  await recordAuditEvent(db, {
    adminId: admin.id,
    adminEmail: admin.email,
    action: existing ? 'app.updated' : 'app.created',
    target: input.clientId,
    details: {
      tenant: input.tenant,
      cloud: input.cloud,
      secretChanged: Boolean(input.clientSecret),
      clientIdChanged: result.orphaned,
    },
  });
  return { ok: true, app: toAppView(result.app), clientIdChanged: result.orphaned };
}

function requireSecret(fields: { clientSecretSealed?: string; clientSecretHint?: string }) {
  if (!fields.clientSecretSealed || !fields.clientSecretHint) throw new Error('a new app needs a secret');
  return { clientSecretSealed: fields.clientSecretSealed, clientSecretHint: fields.clientSecretHint };
}

/** The app with its secret opened, for msal; server code only. */
export type AppWithSecret = Microsoft365App & { clientSecret: string };

export async function loadAppWithSecret(db: Db): Promise<AppWithSecret | null> {
  const app = await findActiveApp(db);
  return app ? { ...app, clientSecret: secrets().open(app.clientSecretSealed, CLIENT_SECRET_CONTEXT) } : null;
}
