import { currentAdmin } from '@/lib/auth/require-admin';
import { getDb } from '@/lib/db';
import { readRunsSince } from '@/lib/db/queries/sync-progress';
import { parseSince } from '@/lib/format/since';

export const dynamic = 'force-dynamic';

/** Polled by the Microsoft 365 page after "Sync all now": the runs started since the button was pressed. */
export async function GET(request: Request) {
  if (!(await currentAdmin())) return Response.json({ error: 'Sign in first.' }, { status: 401 });
  const since = parseSince(new URL(request.url).searchParams.get('since'));
  if (!since) return Response.json({ error: 'since must be a time (ISO 8601) within the last day.' }, { status: 400 });
  return Response.json(await readRunsSince(await getDb(), since), { headers: { 'Cache-Control': 'no-store' } });
}
