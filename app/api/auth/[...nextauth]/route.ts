import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth/config';
import { isHostileReturnPath } from '@/lib/auth/return-path';

export const { GET } = handlers;

/**
 * Auth.js's POST endpoints also read `callbackUrl` from the form body, where proxy.ts cannot see it; one with
 * CR/LF makes its credentials callback throw InvalidCallbackUrl, answered with a 500. Refused here with a 400.
 */
export async function POST(request: NextRequest): Promise<Response> {
  const type = request.headers.get('content-type') ?? '';
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    const form = await request
      .clone()
      .formData()
      .catch(() => null);
    const callbackUrls = form?.getAll('callbackUrl') ?? [];
    if (callbackUrls.some((value) => typeof value === 'string' && isHostileReturnPath(value)))
      return new Response('The return path contains a line break or control character.', {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
      });
  }
  return handlers.POST(request);
}
