/**
 * The framed body: a whole document around already sanitized HTML, and the policy it is served with.
 * The CSP is what blocks remote images (tracking pixels) until the admin asks for them; scripts, fonts,
 * frames, plugins and form posts are refused whatever the sanitizer let through.
 */

export function bodyContentSecurityPolicy(options: { remoteImages: boolean }): string {
  const images = options.remoteImages ? "'self' data: https:" : "'self' data:";
  return `default-src 'none'; img-src ${images}; style-src 'unsafe-inline'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'`;
}

// Mail is written for a light page; long unbroken strings (URLs, base64) must not widen the frame.
const FRAME_STYLE =
  'body{margin:0;padding:16px;font:14px/1.5 system-ui,sans-serif;color:#0f172a;background:#fff;overflow-wrap:anywhere}img{max-width:100%}';

export function bodyDocument(sanitizedHtml: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><style>${FRAME_STYLE}</style></head><body>${sanitizedHtml}</body></html>`;
}
