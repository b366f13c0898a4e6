import 'server-only';
import { getEnv } from '@/lib/config/env';

/** The console's public origin: APP_BASE_URL when set, else what the request (and its proxy) says. */
export function publicBaseUrl(headers: Headers): string {
  const configured = getEnv().APP_BASE_URL;
  if (configured) return configured.replace(/\/+$/, '');
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? 'localhost:3000';
  const proto =
    headers.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.') ? 'http' : 'https');
  return `${proto.split(',')[0]?.trim()}://${host.split(',')[0]?.trim()}`;
}
