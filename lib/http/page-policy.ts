/**
 * The Content-Security-Policy of every console page, with a fresh script nonce: Next reads it from the request's
 * CSP and puts it on its own scripts and stylesheets, so the browser runs those and nothing else (an injected
 * <script> or on* attribute does nothing). 'strict-dynamic' lets Next's scripts load their chunks.
 * default-src 'self' closes every kind of load not named here; form-action 'self' keeps a form injected into a
 * page from posting anywhere else. Shape of Next's own strict example:
 * https://nextjs.org/docs/app/guides/content-security-policy
 * Chromium also applies form-action to the redirect after a form's POST (MDN, CSP form-action: "Chrome 63 does"):
 * the console's forms are Server Actions its scripts post with fetch, so "Add account" reaching Microsoft is a
 * script navigation, not a form redirect; only a browser with scripts off would be stopped there.
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy/form-action
 */
export function pagePolicy(nonce: string, development: boolean): string {
  // React's development build needs eval for its error overlays and injects unnonced <style> tags; production never does.
  const evaluation = development ? " 'unsafe-eval'" : '';
  const styles = development ? "'self' 'unsafe-inline'" : `'self' 'nonce-${nonce}'`;
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${evaluation}`,
    `style-src ${styles}`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
