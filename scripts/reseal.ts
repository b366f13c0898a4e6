/** `npm run keys:reseal`: seals every stored secret with the current APP_ENCRYPTION_KEY (see README, Key rotation). */
import { resealAll } from '@/lib/maintenance/reseal-secrets';
import { closeDatabase, getDb } from '@/lib/db';

async function main() {
  const { resealed } = await resealAll(await getDb());
  console.log(`Re-sealed ${resealed} secret${resealed === 1 ? '' : 's'} with the current key.`);
}

main()
  .then(() => closeDatabase())
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await closeDatabase().catch(() => {});
    process.exit(1);
  });
