const HOME = '/channels/microsoft365';

// C0 and C1 controls: CR/LF in a return path is an attempt on the Location header it would end up in.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A `next` (or Auth.js `callbackUrl`) that carries a control character is not a page anyone asked for: the
 * request is refused with 400 (proxy.ts) instead of being quietly sent home, or reaching Auth.js, whose
 * credentials callback answers an invalid callback URL with a 500.
 */
export function isHostileReturnPath(value: string): boolean {
  return CONTROL.test(value);
}

/**
 * A path on this site to return to after sign-in, or null: never another origin (`//evil`, `/\evil`, a scheme),
 * never the sign-in or set-up page itself, and not the home page (where sign-in lands anyway).
 */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (isHostileReturnPath(value) || value.includes('\\')) return null;
  const url = new URL(value, 'http://same.origin');
  if (url.origin !== 'http://same.origin') return null;
  if (['/', HOME, '/sign-in', '/setup'].includes(url.pathname)) return null;
  return `${url.pathname}${url.search}`;
}

export function returnPathOrHome(value: unknown): string {
  return safeReturnPath(value) ?? HOME;
}
