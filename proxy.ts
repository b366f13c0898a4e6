import { NextResponse, type NextRequest } from 'next/server';

/**
 * A path with a broken %-escape (`%C0%AF`, `%ff`, a lone `%`) cannot name any page or record, but Next answers it
 * with a bare 500 while decoding the route's parameters. Refused here, it is the 400 it should be.
 */
export function proxy(request: NextRequest) {
  try {
    decodeURIComponent(request.nextUrl.pathname);
  } catch {
    return new NextResponse('This address is not valid: it contains a broken %-escape.', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
  }
  return NextResponse.next();
}

export const config = { matcher: '/((?!_next/static|_next/image).*)' };
