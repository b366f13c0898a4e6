import type { NextRequest } from 'next/server';
import { redirect } from 'next/navigation';
import { currentAdmin } from '@/lib/auth/require-admin';
import { callbackParamsSchema } from '@/lib/channels/microsoft365/callback-params';
import { completeConnect } from '@/lib/channels/microsoft365/complete-connect';
import { publicBaseUrl } from '@/lib/config/base-url';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

/** Where Microsoft sends the browser back after a sign-in or an admin-consent request. */
export async function GET(request: NextRequest) {
  const admin = await currentAdmin();
  if (!admin) {
    // The flow stays valid for its 10 minutes: signing in again finishes it.
    redirect(`/sign-in?next=${encodeURIComponent(request.nextUrl.pathname + request.nextUrl.search)}`);
  }
  const params = callbackParamsSchema.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  if (!params.success) redirect('/channels/microsoft365/connect/rejected?reason=invalid');

  const result = await completeConnect(await getDb(), admin, params.data, publicBaseUrl(request.headers));
  if (!result.ok) redirect(`/channels/microsoft365/connect/rejected?reason=${result.error.reason}`);
  const { flow, outcome } = result;
  if (outcome.ok && flow.intent === 'admin_consent') redirect('/channels/microsoft365?consent=granted');
  // Success or failure, the flow's page says how it ended; a connected mailbox's address is checked there.
  redirect(`/channels/microsoft365/connect/${flow.id}`);
}
