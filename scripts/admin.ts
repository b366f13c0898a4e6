/**
 * `npm run admin -- create --email <e-mail> [--name <name>]` and `npm run admin -- reset-password --email <e-mail>`:
 * recovery from the server's command line when nobody can sign in. The password is typed (not echoed) or piped
 * on standard input, never an argument. A reset signs that admin out everywhere. Both are in the audit log.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { adminEmailSchema, displayNameSchema, newPasswordSchema } from '@/lib/admins/password-rules';
import { resetPassword } from '@/lib/admins/change-password';
import { hashPassword } from '@/lib/auth/password';
import { flagsNpmSwallowed } from '@/lib/cli/npm-swallowed-flags';
import { readPassword } from '@/lib/cli/read-password';
import { closeDatabase, getDb } from '@/lib/db';
import { findAdminByEmail, insertAdmin } from '@/lib/db/queries/admins';
import { recordAuditEvent } from '@/lib/db/queries/audit-events';

const USAGE =
  'Usage: npm run admin -- create --email <e-mail> [--name <name>]\n       npm run admin -- reset-password --email <e-mail>';
const OPTIONS = { email: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

class UsageError extends Error {}

function firstError(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'invalid';
}

async function main(): Promise<string> {
  const swallowed = flagsNpmSwallowed(Object.keys(OPTIONS));
  if (swallowed.length > 0) throw new UsageError(`npm kept ${swallowed.join(' ')} for itself: put -- before them.`);
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help) return USAGE;
  if ((command !== 'create' && command !== 'reset-password') || extra.length > 0) throw new UsageError(USAGE);
  const email = adminEmailSchema.safeParse(values.email ?? '');
  if (!email.success) throw new UsageError(`--email: ${firstError(email.error)}\n${USAGE}`);
  const name = displayNameSchema.safeParse(values.name ?? '');
  if (!name.success) throw new UsageError(`--name: ${firstError(name.error)}`);

  const db = await getDb();
  const existing = await findAdminByEmail(db, email.data);
  if (command === 'create' && existing)
    throw new Error(`${email.data} is already an administrator: use reset-password.`);
  if (command === 'reset-password' && !existing) throw new Error(`No administrator has the e-mail ${email.data}.`);

  const password = newPasswordSchema.safeParse(await readPassword(`New password for ${email.data}: `));
  if (!password.success) throw new Error(`Password: ${firstError(password.error)} Nothing was changed.`);

  if (existing) {
    const ended = await resetPassword(db, existing.id, existing.email, password.data);
    return `Password of ${existing.email} reset; ${ended} session${ended === 1 ? '' : 's'} signed out.`;
  }
  const admin = await insertAdmin(db, {
    email: email.data,
    name: name.data || null,
    passwordHash: await hashPassword(password.data),
  });
  if (!admin) throw new Error(`${email.data} is already an administrator: use reset-password.`);
  await recordAuditEvent(db, {
    adminId: null,
    adminEmail: null,
    action: 'admin.created',
    target: admin.email,
    details: { via: 'command line' },
  });
  return `Administrator ${admin.email} created. Sign in at the console with that e-mail and password.`;
}

main()
  .then(async (message) => {
    console.log(message);
    await closeDatabase();
  })
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    await closeDatabase().catch(() => {});
    process.exit(error instanceof UsageError ? 2 : 1);
  });
