import 'server-only';
import { totpSecretContext } from '@/lib/auth/two-factor';
import { CLIENT_SECRET_CONTEXT } from '@/lib/channels/microsoft365/app-credentials';
import { CODE_VERIFIER_CONTEXT } from '@/lib/channels/microsoft365/connect';
import { secrets } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/types';
import { listSealedValues, replaceSealedValue, type SealedColumn } from '@/lib/db/queries/sealed-secrets';
import { TOKEN_CACHE_CONTEXT } from '@/lib/microsoft/token-cache';

// Each sealed column with the context its values were sealed under (a value opens only in its own context).
const CONTEXTS: Record<SealedColumn, (rowId: string) => string> = {
  clientSecret: () => CLIENT_SECRET_CONTEXT,
  tokenCache: () => TOKEN_CACHE_CONTEXT,
  codeVerifier: () => CODE_VERIFIER_CONTEXT,
  totpSecret: totpSecretContext,
};

/**
 * After APP_ENCRYPTION_KEY changes (the old key kept in APP_ENCRYPTION_KEY_PREVIOUS), seals every secret again with
 * the new key, so the old key can then be dropped. Idempotent: values already under the new key are left alone.
 */
export async function resealAll(db: Db): Promise<{ resealed: number }> {
  const sealer = secrets();
  let resealed = 0;
  for (const [column, contextOf] of Object.entries(CONTEXTS) as [SealedColumn, (rowId: string) => string][]) {
    for (const row of await listSealedValues(db, column)) {
      if (!sealer.isStale(row.value)) continue;
      const context = contextOf(row.id);
      await replaceSealedValue(db, column, {
        id: row.id,
        value: sealer.seal(sealer.open(row.value, context), context),
      });
      resealed += 1;
    }
  }
  return { resealed };
}
