/** `npm run db:migrate`: applies the migrations in drizzle/ to DATABASE_URL. */
import { getEnv } from '@/lib/config/env';
import { migratePostgres } from '@/lib/db/postgres';

async function main() {
  const env = getEnv();
  if (!env.DATABASE_URL) {
    console.log('DATABASE_URL is not set: the embedded database is migrated automatically when the console starts.');
    return;
  }
  await migratePostgres(env.DATABASE_URL);
  console.log('Migrations applied.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
