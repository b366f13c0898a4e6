import 'server-only';
import { eq, isNotNull } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
import { admins, mailAccounts, microsoft365Apps, oauthFlows } from '@/lib/db/schema';

/**
 * The columns that hold a sealed secret: an app's client secret, a mailbox's token cache, a flow's PKCE verifier,
 * an administrator's TOTP secret.
 */
export type SealedColumn = 'clientSecret' | 'tokenCache' | 'codeVerifier' | 'totpSecret';

export interface SealedValue {
  id: string;
  value: string;
}

export async function listSealedValues(db: Db, column: SealedColumn): Promise<SealedValue[]> {
  switch (column) {
    case 'clientSecret':
      return db.select({ id: microsoft365Apps.id, value: microsoft365Apps.clientSecretSealed }).from(microsoft365Apps);
    case 'tokenCache': {
      const rows = await db
        .select({ id: mailAccounts.id, value: mailAccounts.tokenCacheSealed })
        .from(mailAccounts)
        .where(isNotNull(mailAccounts.tokenCacheSealed));
      return rows.flatMap(({ id, value }) => (value === null ? [] : [{ id, value }]));
    }
    case 'codeVerifier':
      return db.select({ id: oauthFlows.id, value: oauthFlows.codeVerifierSealed }).from(oauthFlows);
    case 'totpSecret': {
      const rows = await db
        .select({ id: admins.id, value: admins.totpSecretSealed })
        .from(admins)
        .where(isNotNull(admins.totpSecretSealed));
      return rows.flatMap(({ id, value }) => (value === null ? [] : [{ id, value }]));
    }
  }
}

export async function replaceSealedValue(db: Db, column: SealedColumn, { id, value }: SealedValue): Promise<void> {
  switch (column) {
    case 'clientSecret':
      await db.update(microsoft365Apps).set({ clientSecretSealed: value }).where(eq(microsoft365Apps.id, id));
      return;
    case 'tokenCache':
      await db.update(mailAccounts).set({ tokenCacheSealed: value }).where(eq(mailAccounts.id, id));
      return;
    case 'codeVerifier':
      await db.update(oauthFlows).set({ codeVerifierSealed: value }).where(eq(oauthFlows.id, id));
      return;
    case 'totpSecret':
      await db.update(admins).set({ totpSecretSealed: value }).where(eq(admins.id, id));
      return;
  }
}
