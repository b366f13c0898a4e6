import type postgres from 'postgres';
import type { APIResponse } from '@playwright/test';
import { recordScenario } from '../test/reliability/support/scenarios';
import { ADMIN } from './support/admin';
import { ensureSignedIn, resetConsole } from './support/console-state';
import { appEntries, fillPattern, worldSegmentValues } from './support/app-routes';
import { openWorldDb } from './support/db-snapshot';
import { SESSION_COOKIE, sessionCookieOf } from './support/sessions';
import { expect, test } from './support/test';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

const BODY_ROUTE = '/api/v1/messages/[id]/body';
// The app's session lasts 8 hours (lib/auth/config.ts SESSION_MAX_AGE_SECONDS).
const SESSION_SECONDS = 8 * 60 * 60;

let sql: postgres.Sql;
test.beforeAll(() => {
  sql = openWorldDb();
});
test.afterAll(async () => {
  await sql?.end();
});

/** Each Content-Security-Policy header sent (a response may carry several; the browser enforces all). */
function policies(response: APIResponse): string[][] {
  return response
    .headersArray()
    .filter((header) => header.name.toLowerCase() === 'content-security-policy')
    .map((header) =>
      header.value
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean),
    );
}

/**
 * Every other answer, whatever its status: never framed, never MIME-sniffed, no URL leaking to other sites, no
 * <base> or plugin. (The message body route's refusals send an even stricter set of their own.)
 */
function expectConsoleHeaders(response: APIResponse, what: string) {
  const headers = response.headers();
  const directives = policies(response).flat();
  expect(directives, `${what}: CSP`).toContain("frame-ancestors 'none'");
  expect(
    directives.filter((d) => d === "base-uri 'self'" || d === "base-uri 'none'"),
    `${what}: CSP base-uri`,
  ).not.toHaveLength(0);
  expect(
    directives.filter((d) => d === "object-src 'none'" || d === "default-src 'none'"),
    `${what}: CSP object-src`,
  ).not.toHaveLength(0);
  expect(headers['x-frame-options'], `${what}: X-Frame-Options`).toBe('DENY');
  expect(['same-origin', 'no-referrer'], `${what}: Referrer-Policy`).toContain(headers['referrer-policy']);
  expect(headers['x-content-type-options'], `${what}: nosniff`).toBe('nosniff');
}

/** An HTML page runs only the scripts Next rendered into it: each carries this response's nonce. */
async function expectScriptNonces(response: APIResponse, what: string) {
  const scriptSrc = policies(response)
    .flat()
    .filter((d) => d.startsWith('script-src '));
  expect(scriptSrc, `${what}: one script-src`).toHaveLength(1);
  const sources = (scriptSrc[0] ?? '').split(/\s+/).slice(1);
  expect(sources, `${what}: script-src`).toContain("'strict-dynamic'");
  expect(
    sources.filter((source) => source.startsWith("'unsafe-")),
    `${what}: script-src`,
  ).toEqual([]);
  const nonce = sources.find((source) => source.startsWith("'nonce-"))?.slice(7, -1) ?? '';
  expect(nonce.length, `${what}: a nonce`).toBeGreaterThanOrEqual(16);
  const scripts = [...(await response.text()).matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
  expect(scripts.length, `${what}: scripts`).toBeGreaterThan(0);
  expect(
    scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`)),
    `${what}: scripts without the nonce`,
  ).toEqual([]);
}

/** The message body is mail from anyone: framed only by the console, nothing runs, nothing leaks. */
function expectMessageBodyHeaders(response: APIResponse, what: string) {
  const headers = response.headers();
  const directives = (headers['content-security-policy'] ?? '').split(';').map((d) => d.trim());
  for (const directive of [
    "default-src 'none'",
    "frame-ancestors 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    'sandbox allow-popups allow-popups-to-escape-sandbox',
  ]) {
    expect(directives, `${what}: CSP`).toContain(directive);
  }
  // default-src 'none' then covers scripts, frames, fonts and connections: nothing may widen them.
  expect(
    directives.filter((d) => /^(script|connect|frame|child|object|font)-src/.test(d)),
    `${what}: CSP`,
  ).toEqual([]);
  expect(headers['x-frame-options'], `${what}: X-Frame-Options`).toBe('SAMEORIGIN');
  expect(headers['referrer-policy'], `${what}: Referrer-Policy`).toBe('no-referrer');
  expect(headers['x-content-type-options'], `${what}: nosniff`).toBe('nosniff');
  expect(headers['cache-control'], `${what}: Cache-Control`).toBe('private, no-store');
}

/** A message with an HTML body, so the body route's own policy is seen on a real answer; null when one exists. */
async function ensureHtmlMessage(): Promise<(() => Promise<void>) | null> {
  const [existing] = await sql`select id from messages where html is not null limit 1`;
  if (existing) return null;
  const [account] = await sql<
    { id: string }[]
  >`insert into mail_accounts (email_address, home_account_id, tenant_id, sign_in_address, imap_user, status)
    values ('headers@contoso.test', 'e2e-headers', 'e2e-headers', 'headers@contoso.test', 'headers@contoso.test', 'disabled') returning id`;
  await sql`insert into messages (account_id, folder, uidvalidity, uid, subject, internal_date, size, html)
    values (${account!.id}, 'INBOX', 1, 1, 'Headers', now(), 10, '<p>Hello</p>')`;
  return async () => {
    await sql`delete from messages where account_id = ${account!.id}`;
    await sql`delete from mail_accounts where id = ${account!.id}`;
  };
}

test('@reliability every page and route answers with the framing, sniffing and referrer headers, signed in or not', async ({
  page,
  playwright,
  baseURL,
}) => {
  const origin = baseURL ?? '';
  await ensureSignedIn(page);
  const cookie = await sessionCookieOf(page);
  const cleanUp = await ensureHtmlMessage();
  try {
    const valueOf = await worldSegmentValues(sql);
    // Signed in: one context with the browser's session. Anonymous: a fresh context per request, so no cookie an
    // answer sets (Auth.js may refresh the session) makes a later "anonymous" request a signed-in one.
    const api = await playwright.request.newContext({ baseURL: origin, extraHTTPHeaders: { cookie } });
    let checked = 0;
    let bodiesServed = 0;
    let pages = 0;
    try {
      const targets = appEntries().flatMap((entry) =>
        entry.methods.map((method) => ({
          entry,
          method,
          url: fillPattern(entry.pattern, (segment, pattern) => valueOf(segment, pattern, method)),
        })),
      );
      // Not in app/ but served all the same: a 404 page and the build's own script files.
      const anonymous = await playwright.request.newContext({ baseURL: origin });
      const signInHtml = await (await anonymous.get('/sign-in')).text();
      await anonymous.dispose();
      const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(signInHtml)?.[1];
      expect(script, 'the sign-in page loads a script from /_next/static').toBeTruthy();
      const extras = ['/no-such-page', script ?? ''].map((url) => ({
        entry: { pattern: url, file: '(none)' },
        method: 'GET',
        url,
      }));

      for (const { entry, method, url } of [...targets, ...extras]) {
        for (const who of ['anonymous', 'signed in']) {
          const context = who === 'anonymous' ? await playwright.request.newContext({ baseURL: origin }) : api;
          try {
            const response = await context.fetch(url, { method, maxRedirects: 0 });
            const what = `${who} ${method} ${url} → ${response.status()} (${entry.file})`;
            if (entry.pattern === BODY_ROUTE && response.status() === 200) {
              expectMessageBodyHeaders(response, what);
              bodiesServed++;
            } else {
              expectConsoleHeaders(response, what);
              if (response.headers()['content-type']?.startsWith('text/html')) {
                await expectScriptNonces(response, what);
                pages++;
              }
            }
            checked++;
          } finally {
            if (context !== api) await context.dispose();
          }
        }
      }
      expect(bodiesServed, 'the body route served a real message body once').toBe(1);
      // Every console page signed in, sign-in anonymously, the 404 page both ways.
      expect(pages).toBeGreaterThanOrEqual(10);
    } finally {
      await api.dispose();
    }
    await recordScenario({
      group: 'authorization',
      scenario: 'security headers on every page, route handler, 404 and static script',
      expected: checked,
      stored: 0,
      lost: 0,
      duplicated: 0,
      note: "frame-ancestors 'none' + DENY, same-origin referrer, nosniff, nonce script-src on HTML; the message body: default-src 'none', frame-ancestors 'self', no-referrer",
    });
  } finally {
    await cleanUp?.();
  }
});

test('@reliability a script injected into a console page does not run, while Next’s own scripts do', async ({
  page,
}) => {
  await ensureSignedIn(page);
  await page.addInitScript(() => {
    const probe = window as unknown as { violations: string[] };
    probe.violations = [];
    document.addEventListener('securitypolicyviolation', (event) => probe.violations.push(event.violatedDirective));
  });
  // As if stored text had escaped React's escaping: an inline script and an inline handler in the served page.
  await page.route('**/audit', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    const html = (await response.text()).replace(
      '</body>',
      '<script>window.injected = 1</script><img src="/x.png" onerror="window.injected = 2"></body>',
    );
    return route.fulfill({ response, body: html });
  });
  await page.goto('/audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  // The App Router sets window.next once its scripts ran and hydrated the page.
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { next?: { appDir?: boolean } }).next?.appDir))
    .toBe(true);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { violations: string[] }).violations.length))
    .toBe(2);
  expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
  expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations.sort())).toEqual([
    'script-src-attr',
    'script-src-elem',
  ]);
  await recordScenario({
    group: 'authorization',
    scenario: 'inline script and inline handler injected into a console page',
    expected: 2,
    stored: 0,
    lost: 0,
    duplicated: 0,
    note: 'both blocked by the nonce script-src (2 CSP violations); Next hydrated the page',
  });
});

interface CookieSeen {
  name: string;
  attributes: Map<string, string>;
}

function parseSetCookie(header: string): CookieSeen {
  const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
  return {
    name: pair.slice(0, pair.indexOf('=')),
    attributes: new Map(
      attributes.map((attribute) => {
        const [key = '', ...value] = attribute.split('=');
        return [key.toLowerCase(), value.join('=')];
      }),
    ),
  };
}

/** Signs in through the form in a fresh browser context and returns the cookies the sign-in action's answer set. */
async function cookiesSetBySignIn(
  browser: import('@playwright/test').Browser,
  baseURL: string,
  extraHTTPHeaders: Record<string, string>,
): Promise<CookieSeen[]> {
  const context = await browser.newContext({ baseURL, extraHTTPHeaders });
  try {
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    const answer = page.waitForResponse(
      (response) => response.request().method() === 'POST' && Boolean(response.request().headers()['next-action']),
    );
    await page.getByRole('button', { name: 'Sign in' }).click();
    const headers = await (await answer).headersArray();
    return headers
      .filter((header) => header.name.toLowerCase() === 'set-cookie')
      .flatMap((header) => header.value.split('\n').map(parseSetCookie));
  } finally {
    await context.close();
  }
}

/**
 * Auth.js decides `Secure` (and the `__Secure-` name) from the URL it sees (@auth/core: `useSecureCookies` defaults
 * to that URL being https). The server pins AUTH_URL to APP_BASE_URL (lib/config/base-url.ts alignServerUrls), so
 * the public URL decides, never a header: this console's is plain http on loopback, where a browser would drop a
 * Secure cookie, and an `X-Forwarded-Proto: https` that anyone can send changes nothing. A deployment whose
 * APP_BASE_URL is https gets Secure cookies.
 */
test('@reliability the session cookie is HttpOnly, SameSite=Lax, Path=/, 8 hours, and Secure only when the public URL is https', async ({
  page,
  browser,
  baseURL,
}) => {
  const origin = baseURL ?? '';
  await ensureSignedIn(page);
  const cases: { via: string; headers: Record<string, string>; name: string; secure: boolean }[] = [
    { via: 'plain http', headers: {}, name: SESSION_COOKIE, secure: false },
    {
      via: 'a forged X-Forwarded-Proto: https',
      headers: { 'x-forwarded-proto': 'https' },
      name: SESSION_COOKIE,
      secure: false,
    },
  ];
  let checked = 0;
  for (const { via, headers, name, secure } of cases) {
    const cookies = await cookiesSetBySignIn(browser, origin, headers);
    const session = cookies.find((cookie) => cookie.name === name && !cookie.attributes.has('max-age'));
    expect(session, `${via}: ${name} issued`).toBeTruthy();
    if (!session) continue;
    const expires = Date.parse(session.attributes.get('expires') ?? '');
    expect(Math.abs(expires - (Date.now() + SESSION_SECONDS * 1000)), `${via}: expires in 8 hours`).toBeLessThan(
      10 * 60 * 1000,
    );
    for (const cookie of cookies) {
      const what = `${via}: ${cookie.name}`;
      expect(cookie.attributes.has('httponly'), `${what} HttpOnly`).toBe(true);
      expect(['lax', 'strict'], `${what} SameSite`).toContain(cookie.attributes.get('samesite')?.toLowerCase());
      expect(cookie.attributes.get('path'), `${what} Path`).toBe('/');
      expect(cookie.attributes.has('secure'), `${what} Secure`).toBe(secure);
      checked++;
    }
  }
  await recordScenario({
    group: 'authorization',
    scenario: 'cookie flags after sign-in, over http and with a forged X-Forwarded-Proto',
    expected: checked,
    stored: 0,
    lost: 0,
    duplicated: 0,
    note: 'HttpOnly, SameSite=Lax, Path=/, 8 h; Secure + __Secure- only when APP_BASE_URL is https, never from a header',
  });
});
