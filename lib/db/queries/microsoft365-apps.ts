import 'server-only';
import { and, desc, eq } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db/types';
import { microsoft365Apps } from '@/lib/db/schema';

export type Microsoft365App = typeof microsoft365Apps.$inferSelect;
export type Microsoft365AppValues = Omit<
  typeof microsoft365Apps.$inferInsert,
  'id' | 'active' | 'createdAt' | 'updatedAt'
>;

export async function findActiveApp(db: Db | Tx): Promise<Microsoft365App | undefined> {
  const [app] = await db.select().from(microsoft365Apps).where(eq(microsoft365Apps.active, true));
  return app;
}

export async function insertActiveApp(db: Db | Tx, values: Microsoft365AppValues): Promise<Microsoft365App> {
  const [app] = await db
    .insert(microsoft365Apps)
    .values({ ...values, active: true })
    .returning();
  if (!app) throw new Error('insert returned no row');
  return app;
}

export async function updateApp(
  db: Db | Tx,
  id: string,
  values: Partial<Microsoft365AppValues>,
): Promise<Microsoft365App> {
  const [app] = await db
    .update(microsoft365Apps)
    .set({ ...values, updatedAt: new Date() })
    .where(eq(microsoft365Apps.id, id))
    .returning();
  if (!app) throw new Error('the app row disappeared');
  return app;
}

/** An earlier registration with this client ID in this cloud, kept (inactive) so its mailboxes can come back. */
export async function findPreviousApp(
  db: Db | Tx,
  clientId: string,
  cloud: Microsoft365App['cloud'],
): Promise<Microsoft365App | undefined> {
  const [app] = await db
    .select()
    .from(microsoft365Apps)
    .where(
      and(
        eq(microsoft365Apps.active, false),
        eq(microsoft365Apps.clientId, clientId),
        eq(microsoft365Apps.cloud, cloud),
      ),
    )
    .orderBy(desc(microsoft365Apps.updatedAt))
    .limit(1);
  return app;
}

/** Only one registration is active at a time (a unique index): the old one steps back first. */
export async function deactivateApp(db: Db | Tx, id: string): Promise<void> {
  await db.update(microsoft365Apps).set({ active: false, updatedAt: new Date() }).where(eq(microsoft365Apps.id, id));
}

/** Brings an earlier registration back as the active one, with the values just entered. */
export async function reactivateApp(
  db: Db | Tx,
  id: string,
  values: Partial<Microsoft365AppValues>,
): Promise<Microsoft365App> {
  const [app] = await db
    .update(microsoft365Apps)
    .set({ ...values, active: true, updatedAt: new Date() })
    .where(eq(microsoft365Apps.id, id))
    .returning();
  if (!app) throw new Error('the app row disappeared');
  return app;
}
