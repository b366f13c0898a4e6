import 'server-only';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A browser an administrator has signed in with keeps this cookie (for a year), signed with AUTH_SECRET and bound
 * to that admin. The throttle counts its attempts apart from everyone else's, so strangers guessing that e-mail
 * cannot slow the admin down on their own browser.
 */
export const DEVICE_COOKIE = 'mailgate-device';
export const DEVICE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60;

function signatureOf(adminId: string, device: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`mailgate known device\n${adminId}\n${device}`).digest();
}

export function issueDeviceToken(adminId: string, secret: string): string {
  const device = randomBytes(16).toString('base64url');
  return `${adminId}.${device}.${signatureOf(adminId, device, secret).toString('base64url')}`;
}

/** The device id from a request's cookies when it is a genuine token for this admin, else undefined. */
export function knownDeviceOf(headers: Headers, adminId: string | undefined, secret: string): string | undefined {
  if (!adminId) return undefined;
  const value = cookieValue(headers.get('cookie'), DEVICE_COOKIE);
  const [owner, device, signature, ...rest] = (value ?? '').split('.');
  if (!owner || !device || !signature || rest.length || owner !== adminId) return undefined;
  const expected = signatureOf(adminId, device, secret);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? device : undefined;
}

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
