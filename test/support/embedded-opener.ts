/**
 * A second process for the embedded-database tests: opens DATA_DIR's PGlite the way the console does, records an
 * audit event named by argv[2] when given, prints "opened", and holds the database until stdin closes.
 */
import { getDatabase, closeDatabase } from '@/lib/db';
import { recordAuditEvent, listAuditEvents } from '@/lib/db/queries/audit-events';

async function main() {
  const { db } = await getDatabase();
  if (process.argv[2]) await recordAuditEvent(db, { action: process.argv[2] });
  const actions = (await listAuditEvents(db)).map((event) => event.action);
  process.stdout.write(`opened ${JSON.stringify(actions)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void closeDatabase().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
