import 'server-only';
import { eq } from 'drizzle-orm';
import { CLIENT_SECRET_CONTEXT } from '@/lib/channels/microsoft365/app-credentials';
import { CODE_VERIFIER_CONTEXT } from '@/lib/channels/microsoft365/connect';
import { secrets } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db';
import { admins, mailAccounts, microsoft365Apps, oauthFlows } from '@/lib/db/schema';
import { totpSecretContext } from '@/lib/auth/two-factor';
import { TOKEN_CACHE_CONTEXT } from '@/lib/microsoft/token-cache';

/**
 * After APP_ENCRYPTION_KEY changes (the old key kept in APP_ENCRYPTION_KEY_PREVIOUS), seals every secret again with
 * the new key, so the old key can then be dropped. Idempotent: values already under the new key are left alone.
 */
export async function resealAll(db: Db): Promise<{ resealed: number }> {
  const sealer = secrets();
  const again = (value: string, context: string) => sealer.seal(sealer.open(value, context), context);
  let resealed = 0;

  for (const app of await db
    .select({ id: microsoft365Apps.id, value: microsoft365Apps.clientSecretSealed })
    .from(microsoft365Apps)) {
    if (!sealer.isStale(app.value)) continue;
    await db
      .update(microsoft365Apps)
      .set({ clientSecretSealed: again(app.value, CLIENT_SECRET_CONTEXT) })
      .where(eq(microsoft365Apps.id, app.id));
    resealed += 1;
  }
  for (const account of await db
    .select({ id: mailAccounts.id, value: mailAccounts.tokenCacheSealed })
    .from(mailAccounts)) {
    if (!account.value || !sealer.isStale(account.value)) continue;
    await db
      .update(mailAccounts)
      .set({ tokenCacheSealed: again(account.value, TOKEN_CACHE_CONTEXT) })
      .where(eq(mailAccounts.id, account.id));
    resealed += 1;
  }
  for (const flow of await db.select({ id: oauthFlows.id, value: oauthFlows.codeVerifierSealed }).from(oauthFlows)) {
    if (!sealer.isStale(flow.value)) continue;
    await db
      .update(oauthFlows)
      .set({ codeVerifierSealed: again(flow.value, CODE_VERIFIER_CONTEXT) })
      .where(eq(oauthFlows.id, flow.id));
    resealed += 1;
  }
  for (const admin of await db.select({ id: admins.id, value: admins.totpSecretSealed }).from(admins)) {
    if (!admin.value || !sealer.isStale(admin.value)) continue;
    await db
      .update(admins)
      .set({ totpSecretSealed: again(admin.value, totpSecretContext(admin.id)) })
      .where(eq(admins.id, admin.id));
    resealed += 1;
  }
  return { resealed };
}
