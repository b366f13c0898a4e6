/** `npm run db:migrate`: applies the migrations in drizzle/ to DATABASE_URL. */
import { getEnv } from '@/lib/config/env';
import { postgresOptionsOf } from '@/lib/db';
import { migratePostgres } from '@/lib/db/postgres';

async function main() {
  const env = getEnv();
  if (!env.DATABASE_URL) {
    console.log('DATABASE_URL is not set: the embedded database is migrated automatically when the console starts.');
    return;
  }
  const applied = await migratePostgres(env.DATABASE_URL, { ...postgresOptionsOf(env), serverless: false });
  console.log(applied.length ? `Migrations applied: ${applied.join(', ')}.` : 'The schema is up to date.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
