import { z } from 'zod';
import { currentAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { readSyncProgress } from '@/lib/db/queries/sync-progress';

export const dynamic = 'force-dynamic';

/** Polled by the account page while a sync runs. */
export async function GET(_: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentAdmin())) return Response.json({ error: 'Sign in first.' }, { status: 401 });
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return Response.json({ error: 'No such mailbox.' }, { status: 404 });
  return Response.json(await readSyncProgress(await getDb(), id), { headers: { 'Cache-Control': 'no-store' } });
}
