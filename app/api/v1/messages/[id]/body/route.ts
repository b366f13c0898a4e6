import { getDb } from '@/lib/db';
import { messageBodyResponse } from '@/lib/messages/body-response';
import { messageIdOrRefusal } from '@/lib/messages/route-auth';

export const dynamic = 'force-dynamic';

/** The sanitized HTML body, for the message page's sandboxed frame; `?remote=1` lets https images load. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const id = await messageIdOrRefusal(request, params);
  if (id instanceof Response) return id;
  const remoteImages = new URL(request.url).searchParams.get('remote') === '1';
  return messageBodyResponse(await getDb(), id, { remoteImages });
}
