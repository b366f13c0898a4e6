/**
 * The Content-Security-Policy of every console page, with a fresh script nonce: Next reads it from the request's
 * CSP and puts it on its own scripts and stylesheets, so the browser runs those and nothing else (an injected
 * <script> or on* attribute does nothing). 'strict-dynamic' lets Next's scripts load their chunks.
 * default-src 'self' closes every kind of load not named here; form-action 'self' keeps a form injected into a
 * page from posting anywhere else. Shape of Next's own strict example:
 * https://nextjs.org/docs/app/guides/content-security-policy ; directives: https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy
 * (form-action also applies to the redirect that follows a form's POST in Chromium: every form of the console is a
 * Server Action that the page's script posts with fetch, so a redirect to Microsoft is a script navigation.)
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
