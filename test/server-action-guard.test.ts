import { describe, expect, it } from 'vitest';
import { refuseServerAction, SERVER_ACTION_BODY_LIMIT_BYTES } from '@/lib/http/server-action-guard';
import { pagePolicy } from '@/lib/http/page-policy';

const PAGE = 'http://console.test:3000/channels/microsoft365';

function action(headers: Record<string, string>, init: { method?: string; length?: number | null } = {}): Request {
  const all = new Headers({ host: 'console.test:3000', 'next-action': 'abc123', ...headers });
  const length = init.length === undefined ? 120 : init.length;
  if (length !== null) all.set('content-length', String(length));
  return new Request(PAGE, { method: init.method ?? 'POST', headers: all });
}

describe('Server Action requests Next would answer with a 500', () => {
  it('lets a same-origin action through, and one without Origin (not a browser’s cross-site request)', () => {
    expect(refuseServerAction(action({ origin: 'http://console.test:3000' }))).toBeNull();
    expect(refuseServerAction(action({}))).toBeNull();
  });

  it.each([
    ['another site', 'https://evil.example'],
    ['the same host on another port', 'http://console.test:4000'],
    ['an opaque origin (sandboxed frame)', 'null'],
    ['garbage', 'not a url'],
  ])('refuses an action from %s with 403', async (_, origin) => {
    const refusal = refuseServerAction(action({ origin }));
    expect(refusal?.status).toBe(403);
    expect(await refusal?.text()).toBe('This form was sent from another site.');
  });

  it('compares Origin with the first X-Forwarded-Host when a proxy sets one, as Next does', () => {
    const behindProxy = { origin: 'https://mail.example.com', 'x-forwarded-host': 'mail.example.com, internal' };
    expect(refuseServerAction(action(behindProxy))).toBeNull();
    expect(
      refuseServerAction(action({ origin: 'http://console.test:3000', 'x-forwarded-host': 'mail.example.com' }))
        ?.status,
    ).toBe(403);
  });

  it('refuses a body over the limit with 413 and an unmeasured one with 411', () => {
    const origin = { origin: 'http://console.test:3000' };
    expect(refuseServerAction(action(origin, { length: SERVER_ACTION_BODY_LIMIT_BYTES }))).toBeNull();
    expect(refuseServerAction(action(origin, { length: SERVER_ACTION_BODY_LIMIT_BYTES + 1 }))?.status).toBe(413);
    expect(refuseServerAction(action(origin, { length: null }))?.status).toBe(411);
  });

  it('also guards a form POST to a page without Next-Action (a no-script Server Action)', () => {
    const form = new Request(PAGE, {
      method: 'POST',
      headers: {
        host: 'console.test:3000',
        origin: 'https://evil.example',
        'content-type': 'multipart/form-data; boundary=x',
      },
    });
    expect(refuseServerAction(form)?.status).toBe(403);
  });

  it('leaves every other request alone', () => {
    expect(refuseServerAction(action({ origin: 'https://evil.example' }, { method: 'GET' }))).toBeNull();
    const json = new Request(PAGE, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
    });
    expect(refuseServerAction(json)).toBeNull();
  });
});

describe('the page Content-Security-Policy', () => {
  const directives = (policy: string) => policy.split(';').map((d) => d.trim());

  it('closes every load by default and lets forms post only to the console', () => {
    const policy = directives(pagePolicy('bm9uY2U=', false));
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("form-action 'self'");
    expect(policy).toContain("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'");
    expect(policy).toContain("style-src 'self' 'nonce-bm9uY2U='");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy.join(';')).not.toContain('unsafe');
  });

  it('allows eval and inline styles in development only (React’s overlays)', () => {
    expect(pagePolicy('n', true)).toContain("'unsafe-eval'");
    expect(pagePolicy('n', true)).toContain("style-src 'self' 'unsafe-inline'");
  });
});
