/**
 * Server Actions are POSTs to a page. Next refuses a foreign Origin and a body over its size limit, but answers
 * both with a 500 (next/dist/server/app-render/action-handler.js: "Invalid Server Actions request." and the
 * ApiError(413) it raises are both sent as statusCode 500 for a fetch action; its own TODO says so). Refusing them
 * before Next sees them gives the 4xx they are, with the same rules Next applies:
 * - Origin must name the host the request was sent to (the first X-Forwarded-Host, else Host); "null" (a
 *   sandboxed frame, a privacy redirect) never does; no Origin at all passes, as in Next.
 *   https://nextjs.org/docs/app/api-reference/config/next-config-js/serverActions (allowedOrigins, bodySizeLimit)
 * - the body is at most SERVER_ACTION_BODY_LIMIT (next.config.ts gives Next the same figure). A POST without
 *   Content-Length (chunked) cannot be measured up front: 411, which browsers never meet (they send the length of
 *   a form or FormData body). RFC 9110 §15.5.12 (411), §15.5.14 (413).
 */

export const SERVER_ACTION_BODY_LIMIT_BYTES = 1024 * 1024;
// The form Next's bytes parser reads (next.config.ts experimental.serverActions.bodySizeLimit).
export const SERVER_ACTION_BODY_LIMIT = '1mb';

const PLAIN_TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };

/** What Next treats as a possible Server Action: a POST with Next-Action, or a form POST to a page. */
function isPossibleServerAction(request: Request): boolean {
  if (request.method !== 'POST') return false;
  if (request.headers.has('next-action')) return true;
  const type = request.headers.get('content-type') ?? '';
  return type === 'application/x-www-form-urlencoded' || type.startsWith('multipart/form-data');
}

function requestHost(headers: Headers): string | null {
  const forwarded = headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  return forwarded || headers.get('host');
}

function originHost(origin: string): string | null {
  if (!URL.canParse(origin)) return null;
  return new URL(origin).host;
}

/** The 4xx answer for a Server Action request Next would fail with a 500, or null to let it through. */
export function refuseServerAction(request: Request): Response | null {
  if (!isPossibleServerAction(request)) return null;
  const origin = request.headers.get('origin');
  // No Origin at all is a hand-made request, not a browser's cross-site one: Next lets it through (with a
  // warning), and so does this, since it carries no credentials its sender did not already hold.
  if (origin !== null && originHost(origin) !== requestHost(request.headers))
    return new Response('This form was sent from another site.', { status: 403, headers: PLAIN_TEXT });
  const length = request.headers.get('content-length');
  if (length === null)
    return new Response('This form was sent without its length.', { status: 411, headers: PLAIN_TEXT });
  if (!/^\d+$/.test(length) || Number(length) > SERVER_ACTION_BODY_LIMIT_BYTES)
    return new Response('This form is larger than the console accepts (1 MB).', { status: 413, headers: PLAIN_TEXT });
  return null;
}
