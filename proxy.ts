import { NextResponse, type NextRequest } from 'next/server';

/**
 * A fresh script nonce per page: Next reads it from the request's CSP and puts it on its own scripts, so the
 * browser runs those and nothing else (an injected <script> or on* attribute in a page does nothing).
 * 'strict-dynamic' lets Next's scripts load their chunks. API routes and static files render no HTML and keep
 * the baseline of next.config.mjs; the message body route sends its own, stricter policy.
 */
export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  // React's development build needs eval for its error overlays; production never does.
  const evaluation = process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : '';
  const policy = `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${evaluation}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'`;
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
