import 'server-only';
import { count, eq, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { admins } from '@/lib/db/schema';
import { transaction } from '@/lib/db/transaction';

export type Admin = typeof admins.$inferSelect;

export async function countAdmins(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(admins);
  return row?.n ?? 0;
}

export async function findAdminByEmail(db: Db, email: string): Promise<Admin | undefined> {
  const [row] = await db.select().from(admins).where(eq(admins.email, email.toLowerCase()));
  return row;
}

export async function findAdminById(db: Db, id: string): Promise<Admin | undefined> {
  const [row] = await db.select().from(admins).where(eq(admins.id, id));
  return row;
}

/**
 * Creates the first admin only while there is none. The advisory lock serialises concurrent set-ups, so two
 * racing requests cannot both become "the first".
 */
export async function createFirstAdmin(
  db: Db,
  input: { email: string; name: string | null; passwordHash: string },
): Promise<Admin | undefined> {
  return transaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7365002)`);
    const [existing] = await tx.select({ n: count() }).from(admins);
    if ((existing?.n ?? 0) > 0) return undefined;
    const [created] = await tx
      .insert(admins)
      .values({ email: input.email.toLowerCase(), name: input.name, passwordHash: input.passwordHash })
      .returning();
    return created;
  });
}

export async function recordSignIn(db: Db, id: string): Promise<void> {
  await db.update(admins).set({ lastSignInAt: new Date() }).where(eq(admins.id, id));
}
