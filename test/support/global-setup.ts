import postgres from 'postgres';

// Fails fast with one clear line when the machine's Postgres is not there, instead of every test timing out.
export default async function checkPostgres() {
  const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(`Tests need Postgres at ${url} (trust auth): ${(error as Error).message}`);
  } finally {
    await sql.end();
  }
}
