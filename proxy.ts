import { NextResponse, type NextRequest } from 'next/server';
import { isHostileReturnPath } from '@/lib/auth/return-path';
import { refuseServerAction } from '@/lib/http/server-action-guard';
import { pagePolicy } from '@/lib/http/page-policy';

const REQUESTED_PATH_HEADER = 'x-mailgate-requested-path';
const PLAIN_TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
// The return-path parameters: the console's own and Auth.js's.
const RETURN_PATH_PARAMS = ['next', 'callbackUrl'];

/**
 * Before any route runs:
 * - A path with a broken %-escape (`%C0%AF`, `%ff`, a lone `%`) cannot name any page or record, but Next answers
 *   it with a bare 500 while decoding the route's parameters. Refused here, it is the 400 it should be.
 * - A return path with CR/LF (or any control character) is refused with 400 (lib/auth/return-path.ts).
 * - Server Actions from another origin, over the size limit or unmeasured get their 4xx, not Next's 500
 *   (lib/http/server-action-guard.ts).
 * - Pages get their CSP with a fresh script nonce (lib/http/page-policy.ts) and note the page asked for, for
 *   sign-in to return to. API routes render no HTML and keep the baseline of next.config.ts (the message body
 *   and download routes send their own, stricter policy); prefetches are left alone so a prefetched page never
 *   carries a nonce other than the one its document was served with.
 */
export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  try {
    decodeURIComponent(path);
  } catch {
    return refuse(400, 'This address is not valid: it contains a broken %-escape.');
  }
  const returnPaths = RETURN_PATH_PARAMS.flatMap((name) => request.nextUrl.searchParams.getAll(name));
  if (returnPaths.some(isHostileReturnPath))
    return refuse(400, 'This address is not valid: its return path contains a line break or control character.');
  if (path.startsWith('/api/') || path === '/favicon.ico') return NextResponse.next();
  const refusal = refuseServerAction(request);
  if (refusal) return refusal;
  if (isPrefetch(request)) return NextResponse.next();

  const nonce = btoa(crypto.randomUUID());
  const policy = pagePolicy(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  // The page asked for, so sign-in can return to it (requireAdmin reads it; a client cannot forge it past here).
  headers.set(REQUESTED_PATH_HEADER, `${path}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

function refuse(status: number, text: string): NextResponse {
  return new NextResponse(text, { status, headers: PLAIN_TEXT });
}

function isPrefetch(request: NextRequest): boolean {
  return request.headers.has('next-router-prefetch') || request.headers.get('purpose') === 'prefetch';
}

export const config = { matcher: '/((?!_next/static|_next/image).*)' };
