import 'server-only';
import { count, eq, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db/types';
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

export async function listAdmins(db: Db): Promise<Admin[]> {
  return db.select().from(admins).orderBy(admins.createdAt);
}

export async function setPasswordHash(db: Db, id: string, passwordHash: string): Promise<boolean> {
  const rows = await db.update(admins).set({ passwordHash }).where(eq(admins.id, id)).returning({ id: admins.id });
  return rows.length > 0;
}

/** Adds an admin; undefined when the e-mail already belongs to one. */
export async function insertAdmin(
  db: Db,
  input: { email: string; name: string | null; passwordHash: string },
): Promise<Admin | undefined> {
  const [created] = await db
    .insert(admins)
    .values({ email: input.email.toLowerCase(), name: input.name, passwordHash: input.passwordHash })
    .onConflictDoNothing({ target: admins.email })
    .returning();
  return created;
}

/**
 * Removes an admin unless it is the last one. Under the same advisory lock as the first set-up, so two admins
 * removing each other at the same moment cannot leave the console with none. Their sessions go with them.
 */
export async function deleteAdminUnlessLast(db: Db, id: string): Promise<'removed' | 'last' | 'missing'> {
  return transaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(7365002)`);
    const [existing] = await tx.select({ n: count() }).from(admins);
    const [target] = await tx.select({ id: admins.id }).from(admins).where(eq(admins.id, id));
    if (!target) return 'missing';
    if ((existing?.n ?? 0) <= 1) return 'last';
    await tx.delete(admins).where(eq(admins.id, id));
    return 'removed';
  });
}
