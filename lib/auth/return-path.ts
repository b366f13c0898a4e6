const HOME = '/channels/microsoft365';

/**
 * A path on this site to return to after sign-in, or null: never another origin (`//evil`, `/\evil`, a scheme),
 * never the sign-in or set-up page itself, and not the home page (where sign-in lands anyway).
 */
export function safeReturnPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (/[\u0000-\u001f\\]/.test(value)) return null;
  const url = new URL(value, 'http://same.origin');
  if (url.origin !== 'http://same.origin') return null;
  if (['/', HOME, '/sign-in', '/setup'].includes(url.pathname)) return null;
  return `${url.pathname}${url.search}`;
}

export function returnPathOrHome(value: unknown): string {
  return safeReturnPath(value) ?? HOME;
}
