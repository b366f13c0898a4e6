import { NextResponse, type NextRequest } from 'next/server';

const REQUESTED_PATH_HEADER = 'x-mailgate-requested-path';
const PLAIN_TEXT = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };

/**
 * Three jobs before any route runs (the third: note the page asked for, for sign-in to return to):
 * - A path with a broken %-escape (`%C0%AF`, `%ff`, a lone `%`) cannot name any page or record, but Next answers
 *   it with a bare 500 while decoding the route's parameters. Refused here, it is the 400 it should be.
 * - A fresh script nonce per page: Next reads it from the request's CSP and puts it on its own scripts, so the
 *   browser runs those and nothing else (an injected <script> or on* attribute in a page does nothing).
 *   'strict-dynamic' lets Next's scripts load their chunks. API routes render no HTML and keep the baseline of
 *   next.config.ts (the message body route sends its own, stricter policy); prefetches are left alone so a
 *   prefetched page never carries a nonce other than the one its document was served with.
 */
export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  try {
    decodeURIComponent(path);
  } catch {
    return new NextResponse('This address is not valid: it contains a broken %-escape.', {
      status: 400,
      headers: PLAIN_TEXT,
    });
  }
  if (path.startsWith('/api/') || path === '/favicon.ico' || isPrefetch(request)) return NextResponse.next();

  const nonce = btoa(crypto.randomUUID());
  // React's development build needs eval for its error overlays; production never does.
  const evaluation = process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : '';
  const policy = `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${evaluation}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'`;
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  // The page asked for, so sign-in can return to it (requireAdmin reads it; a client cannot forge it past here).
  headers.set(REQUESTED_PATH_HEADER, `${path}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

function isPrefetch(request: NextRequest): boolean {
  return request.headers.has('next-router-prefetch') || request.headers.get('purpose') === 'prefetch';
}

export const config = { matcher: '/((?!_next/static|_next/image).*)' };
