import { z } from 'zod';
import { currentAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { readSyncProgress } from '@/lib/db/queries/sync-progress';
import { parseSince } from '@/lib/format/since';

export const dynamic = 'force-dynamic';

/** Polled by the account page while a sync runs. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!(await currentAdmin())) return Response.json({ error: 'Sign in first.' }, { status: 401 });
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return Response.json({ error: 'No such mailbox.' }, { status: 404 });
  const rawSince = new URL(request.url).searchParams.get('since');
  const since = parseSince(rawSince);
  if (rawSince !== null && !since)
    return Response.json({ error: 'since must be a time (ISO 8601) within the last day.' }, { status: 400 });
  return Response.json(await readSyncProgress(await getDb(), id, since ?? undefined), {
    headers: { 'Cache-Control': 'no-store' },
  });
}
