import 'server-only';
import { currentAdmin } from '@/lib/auth/require-admin';
import { failureResponse } from '@/lib/errors';
import { parseRecordId } from '@/lib/messages/record-id';

// The message body and download routes get no CSP from next.config.ts (the body no framing or referrer headers
// either: it sets its own on a body), so their refusals carry theirs; elsewhere the config's headers win.
// `sandbox` like the downloads themselves: whatever these routes answer runs nothing, in an opaque origin.
const REFUSAL_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * Null when an admin is signed in, else the answer to send: a browser navigating (a download link, the body
 * frame) goes to sign-in, any other caller gets a 401 it can read. Relative Location: right behind any proxy.
 */
export async function refusalWithoutAdmin(request: Request): Promise<Response | null> {
  if (await currentAdmin()) return null;
  if (request.headers.get('sec-fetch-mode') === 'navigate') {
    return new Response(null, { status: 303, headers: { ...REFUSAL_HEADERS, Location: '/sign-in' } });
  }
  return Response.json({ error: 'Sign in first.' }, { status: 401, headers: REFUSAL_HEADERS });
}

/** A 404 for a record these routes serve (named so it is not mistaken for Next's throwing `notFound`). */
export function notFoundResponse(what: string): Response {
  return failureResponse({ code: 'record.missing', message: `No such ${what}.` }, REFUSAL_HEADERS);
}

/** For routes under /api/v1/messages/[id]: the message id of a signed-in admin's request, or the answer to send. */
export async function messageIdOrRefusal(
  request: Request,
  params: Promise<{ id: string }>,
): Promise<number | Response> {
  const refusal = await refusalWithoutAdmin(request);
  if (refusal) return refusal;
  return parseRecordId((await params).id) ?? notFoundResponse('message');
}
