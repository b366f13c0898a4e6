import 'server-only';
import { eq } from 'drizzle-orm';
import type { Db, Tx } from '@/lib/db';
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
