import { getDb } from '@/lib/db';
import { messageSourceResponse } from '@/lib/messages/download-responses';
import { messageIdOrRefusal } from '@/lib/messages/route-auth';

export const dynamic = 'force-dynamic';

/** "Download original (.eml)": the stored raw source, byte for byte, also for messages that failed to parse. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const id = await messageIdOrRefusal(request, params);
  if (id instanceof Response) return id;
  return messageSourceResponse(await getDb(), id);
}
