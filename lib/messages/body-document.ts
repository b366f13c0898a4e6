/**
 * The framed body: a whole document around already sanitized HTML, and the policy it is served with.
 * The CSP is what blocks remote images (tracking pixels) until the admin asks for them; scripts, fonts,
 * frames, plugins and form posts are refused whatever the sanitizer let through.
 */

export function bodyContentSecurityPolicy(options: { remoteImages: boolean }): string {
  const images = options.remoteImages ? "'self' data: https:" : "'self' data:";
  return `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox ${BODY_SANDBOX}`;
}

/**
 * The sandbox of the message page's frame (html-body.tsx), sent as CSP too: opened on its own (a link, a new
 * tab) the body would otherwise run with the console's origin. Nothing but popups, so its links open in a new
 * tab; no allow-same-origin, so images and inline styles still load and render but the document's origin is
 * opaque. https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy/sandbox
 */
export const BODY_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

// Mail is written for a light page; long unbroken strings (URLs, base64) must not widen the frame.
const FRAME_STYLE =
  'body{margin:0;padding:16px;font:14px/1.5 system-ui,sans-serif;color:#0f172a;background:#fff;overflow-wrap:anywhere}img{max-width:100%}';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * The body is focusable (tabindex 0), so a keyboard user can tab into the frame and scroll a long message with
 * the arrow keys: with scripts off, nothing else in it takes focus. The message's language is unknown ("und"),
 * and its subject titles the document for screen readers.
 */
export function bodyDocument(sanitizedHtml: string, title: string): string {
  const safeTitle = title.replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);
  return `<!doctype html><html lang="und"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>${safeTitle}</title><style>${FRAME_STYLE}</style></head><body tabindex="0">${sanitizedHtml}</body></html>`;
}
