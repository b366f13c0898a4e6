import type postgres from 'postgres';
import type { APIRequestContext, Page, PlaywrightWorkerArgs } from '@playwright/test';
import { recordScenario } from '../test/reliability/support/scenarios';
import { consoleActionCalls, redirectOf, replayAction, type ActionCall } from './support/action-replay';
import { ADMIN } from './support/admin';
import { ensureSignedIn, resetConsole } from './support/console-state';
import { appEntries, fillPattern, worldSegmentValues, type AppEntry } from './support/app-routes';
import { changedTables, openWorldDb, settledSnapshot, snapshotDb } from './support/db-snapshot';
import { forgedSessionCookie, SESSION_COOKIE, sessionCookieOf } from './support/sessions';
import { expect, test } from './support/test';
import { E2E_APP, world } from './support/world';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

const CALLBACK_PATH = '/api/v1/external_credentials/microsoft365/callback';
const INTRUDER = 'intruder@example.com';

let sql: postgres.Sql;
test.beforeAll(() => {
  sql = openWorldDb();
});
test.afterAll(async () => {
  await sql?.end();
});
test.beforeEach(async ({ page }) => {
  // Refusals must send to sign-in, which needs an admin to exist (else every page goes to set-up).
  await ensureSignedIn(page);
});

interface Caller {
  name: string;
  headers: Record<string, string>;
}

function isSignIn(location: string, baseURL: string): boolean {
  const url = new URL(location, baseURL);
  return url.origin === new URL(baseURL).origin && url.pathname === '/sign-in';
}

/** Follows redirects by hand (at most three) and requires every answer to be one, ending at /sign-in. */
async function expectSentToSignIn(
  api: APIRequestContext,
  method: string,
  url: string,
  headers: Record<string, string>,
  baseURL: string,
) {
  let target = url;
  for (let hop = 0; hop < 3; hop++) {
    const response = await api.fetch(target, { method, headers, maxRedirects: 0 });
    expect([301, 302, 303, 307, 308], `${method} ${target} must redirect, not answer`).toContain(response.status());
    const location = response.headers().location ?? '';
    if (isSignIn(location, baseURL)) return;
    target = new URL(location, baseURL).pathname + new URL(location, baseURL).search;
    method = 'GET';
  }
  throw new Error(`${url} never reached /sign-in`);
}

async function expectRouteRefuses(
  api: APIRequestContext,
  method: string,
  url: string,
  headers: Record<string, string>,
  baseURL: string,
) {
  // An API caller reads a status; a browser navigating is sent to sign-in (or gets the same status).
  const plain = await api.fetch(url, { method, headers, maxRedirects: 0 });
  expect([401, 403], `${method} ${url}`).toContain(plain.status());
  const navigating = await api.fetch(url, {
    method,
    headers: { ...headers, 'sec-fetch-mode': 'navigate' },
    maxRedirects: 0,
  });
  if ([401, 403].includes(navigating.status())) return;
  expect([302, 303, 307], `${method} ${url} navigating`).toContain(navigating.status());
  expect(isSignIn(navigating.headers().location ?? '', baseURL), `${method} ${url} navigating goes to sign-in`).toBe(
    true,
  );
}

type Check = (api: APIRequestContext, method: string, url: string, caller: Caller, baseURL: string) => Promise<number>;

/**
 * The whole allow-list: everything else must refuse. Each entry still proves what it lets through is harmless.
 * Returns how many requests it sent.
 */
const PUBLIC: Record<string, Check> = {
  '/sign-in': async (api, method, url, caller) => {
    const response = await api.fetch(url, { method, headers: caller.headers, maxRedirects: 0 });
    expect(response.status()).toBe(200);
    const html = await response.text();
    expect(html).toContain('Administrators of this console only.');
    expect(html).not.toContain('Sign out');
    return 1;
  },
  // Closes for good once an admin exists.
  '/setup': async (api, method, url, caller, baseURL) => {
    await expectSentToSignIn(api, method, url, caller.headers, baseURL);
    return 1;
  },
  // An invitation link is its own credential: a made-up token opens a page that says so, and nothing else.
  '/invite/[token]': async (api, method, url, caller) => {
    const response = await api.fetch(url, { method, headers: caller.headers, maxRedirects: 0 });
    expect(response.status()).toBe(200);
    const html = await response.text();
    expect(html).toContain('This invitation cannot be used');
    expect(html).not.toContain('Sign out');
    return 1;
  },
  '/api/health': async (api, method, url, caller) => {
    const response = await api.fetch(url, { method, headers: caller.headers });
    expect(response.status()).toBe(200);
    expect(Object.keys((await response.json()) as object).sort()).toEqual(['db', 'migrations', 'ok']);
    return 1;
  },
  // Auth.js itself: the session endpoint says "nobody", and its raw sign-in refuses a post without its CSRF token.
  '/api/auth/[...nextauth]': async (api, method, url, caller) => {
    if (method === 'GET') {
      const response = await api.fetch(url, { method, headers: caller.headers });
      expect(response.status()).toBe(200);
      expect((await response.json()) as unknown).toBeNull();
      return 1;
    }
    const response = await api.fetch(url, {
      method,
      headers: caller.headers,
      form: { email: ADMIN.email, password: ADMIN.password },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(302);
    expect(response.headers().location).toContain('error=MissingCSRF');
    const cookies = response
      .headersArray()
      .filter((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith(`${SESSION_COOKIE}=`));
    expect(
      cookies.every((cookie) => /^authjs\.session-token=;/.test(cookie.value)),
      'no session was issued',
    ).toBe(true);
    return 1;
  },
  // Graph's webhook is public by design: it echoes a validation token and answers a forged notification 202 with
  // nothing in it, acting on none (no subscription of ours, no clientState matching a stored hash).
  '/api/v1/graph/notifications': async (api, method, url, caller) => {
    const echo = await api.fetch(`${url}?validationToken=probe`, { method, headers: caller.headers });
    expect(echo.status()).toBe(200);
    expect(await echo.text()).toBe('probe');
    const forged = await api.fetch(url, {
      method,
      headers: { ...caller.headers, 'content-type': 'application/json' },
      data: { value: [{ subscriptionId: 'forged', clientState: 'guess', changeType: 'created' }] },
    });
    expect(forged.status()).toBe(202);
    expect(await forged.text()).toBe('');
    return 2;
  },
  // The scheduler's route demands its bearer secret, session or not.
  '/api/cron/sync': async (api, method, url, caller) => {
    for (const authorization of [undefined, 'Bearer wrong-secret', 'Basic Zm9vOmJhcg==']) {
      const response = await api.fetch(url, {
        method,
        headers: { ...caller.headers, ...(authorization ? { authorization } : {}) },
      });
      expect(response.status(), `${method} cron with ${authorization ?? 'no authorization'}`).toBe(401);
      expect(response.headers()['www-authenticate']).toBe('Bearer');
    }
    return 3;
  },
  // Microsoft's browser redirect lands here: without a session it goes to sign-in and the flow stays unused.
  [CALLBACK_PATH]: async (api, method, url, caller, baseURL) => {
    await expectSentToSignIn(api, method, `${url}?state=${'s'.repeat(43)}&code=forged`, caller.headers, baseURL);
    await expectSentToSignIn(
      api,
      method,
      `${url}?error=access_denied&state=${'s'.repeat(43)}`,
      caller.headers,
      baseURL,
    );
    return 2;
  },
};

async function expectRefused(
  entry: AppEntry,
  method: string,
  url: string,
  api: APIRequestContext,
  caller: Caller,
  baseURL: string,
): Promise<number> {
  const check = PUBLIC[entry.pattern];
  if (check) return check(api, method, url, caller, baseURL);
  if (entry.kind === 'page') {
    await expectSentToSignIn(api, method, url, caller.headers, baseURL);
    return 1;
  }
  await expectRouteRefuses(api, method, url, caller.headers, baseURL);
  if (entry.pattern.endsWith('/attachments/[attachmentId]')) {
    // The body frame's image token is the only other key: a forged one opens nothing.
    await expectRouteRefuses(api, method, `${url}?inline=1&token=${'A'.repeat(43)}`, caller.headers, baseURL);
    return 4;
  }
  return 2;
}

async function newApi(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string) {
  return playwright.request.newContext({ baseURL });
}

test('@reliability every page and route handler refuses an anonymous caller and an expired session, and changes nothing', async ({
  playwright,
  baseURL,
}) => {
  const origin = baseURL ?? '';
  const entries = appEntries();
  // Found on disk, not listed here: this only guards against the walk finding nothing.
  expect(entries.filter((e) => e.kind === 'page').length).toBeGreaterThanOrEqual(10);
  expect(entries.filter((e) => e.kind === 'route').length).toBeGreaterThanOrEqual(7);
  const patterns = new Set(entries.map((e) => e.pattern));
  expect(
    Object.keys(PUBLIC).filter((pattern) => !patterns.has(pattern)),
    'allow-list entries that no longer exist',
  ).toEqual([]);

  // Control: a forged session that is not expired is accepted, so the expired one below fails for its age alone.
  const api = await newApi(playwright, origin);
  try {
    const valid = { cookie: await forgedSessionCookie(sql, 600) };
    const console = await api.get('/channels/microsoft365', { headers: valid, maxRedirects: 0 });
    expect(console.status()).toBe(200);
    expect(await console.text()).toContain('Sign out');
    expect(
      ((await (await api.get('/api/auth/session', { headers: valid })).json()) as { user?: { email?: string } }).user
        ?.email,
    ).toBe(ADMIN.email);
  } finally {
    await api.dispose();
  }

  const callers: Caller[] = [
    { name: 'anonymous', headers: {} },
    // Expired an hour ago: far past Auth.js's 15 s clock tolerance.
    { name: 'expired session', headers: { cookie: await forgedSessionCookie(sql, -3600) } },
  ];
  const valueOf = await worldSegmentValues(sql);
  const before = await settledSnapshot(sql);
  let tried = 0;
  for (const caller of callers) {
    for (const entry of entries) {
      for (const method of entry.methods) {
        const url = fillPattern(entry.pattern, (segment, pattern) => valueOf(segment, pattern, method));
        // A fresh context per request: nothing a previous answer set (a cleared cookie) carries over.
        const context = await newApi(playwright, origin);
        try {
          await test.step(`${caller.name}: ${method} ${url} (${entry.file})`, async () => {
            tried += await expectRefused(entry, method, url, context, caller, origin);
          });
        } finally {
          await context.dispose();
        }
      }
    }
  }
  const changed = changedTables(before, await snapshotDb(sql));
  expect(changed).toEqual([]);

  await recordScenario({
    group: 'authorization',
    scenario: 'every page and route handler, anonymous and with an expired session',
    expected: tried,
    stored: changed.length,
    lost: 0,
    duplicated: 0,
    note: `${entries.length} entries found in app/; refused or allow-listed (${Object.keys(PUBLIC).length}); database unchanged`,
  });
});

/** Saves the world's app credentials through the form; `intercept` catches the action request instead of sending it. */
async function submitAppForm(page: Page, intercept: boolean): Promise<ActionCall | undefined> {
  await page.goto('/channels/microsoft365');
  let captured: ActionCall | undefined;
  if (intercept) {
    await page.route('**/channels/microsoft365', async (route) => {
      const request = route.request();
      const id = request.headers()['next-action'];
      if (request.method() !== 'POST' || !id) return route.continue();
      captured = {
        id,
        url: request.url(),
        headers: await request.allHeaders(),
        body: (request.postDataBuffer() ?? Buffer.alloc(0)).toString('base64'),
      };
      return route.abort();
    });
  }
  await page.getByLabel('Application (client) ID').fill(E2E_APP.clientId);
  await page.getByLabel('Client secret').fill(E2E_APP.clientSecret);
  await page.getByLabel('Directory (tenant) ID or domain').fill(E2E_APP.tenant);
  await page.getByRole('button', { name: /^(Save changes|Connect Microsoft 365 App)$/ }).click();
  if (!intercept) {
    await expect(page.getByText('Saved. Connected mailboxes keep working.')).toBeVisible();
    return undefined;
  }
  await expect.poll(() => captured !== undefined).toBe(true);
  await page.unrouteAll({ behavior: 'wait' });
  return captured;
}

test('@reliability a server action with a valid session but a foreign Origin or forwarded host is refused, and changes nothing', async ({
  page,
  playwright,
  baseURL,
}) => {
  const origin = baseURL ?? '';
  const host = new URL(origin).host;
  const call = await submitAppForm(page, true);
  if (!call) throw new Error('the app form sent no server action');
  const cookie = await sessionCookieOf(page);

  // What a page on another site (or a proxy told another host) can make a signed-in browser send.
  const forgeries: Record<string, string>[] = [
    { origin: 'https://attacker.example' },
    { origin: 'null' },
    { origin, 'x-forwarded-host': 'attacker.example' },
    { origin: 'https://attacker.example', 'x-forwarded-host': 'console.example' },
    { origin: 'https://attacker.example', host: 'console.example' },
  ];
  // Every other console action of the build, as its form would send it.
  const others = [...(await consoleActionCalls(origin, await worldSegmentValues(sql))).values()].filter(
    (other) => other.id !== call.id,
  );
  const api = await newApi(playwright, origin);
  try {
    const before = await settledSnapshot(sql);
    let tried = 0;
    for (const forged of forgeries) {
      const response = await replayAction(api, call, { cookie, ...forged });
      // Refused before the action runs, with 403 (lib/http/server-action-guard.ts, Next's own origin rule).
      expect(response.status(), JSON.stringify(forged)).toBe(403);
      expect(redirectOf(response)).toBe('');
      tried++;
    }
    // Every other console action, with the same valid session from a foreign page.
    for (const other of others) {
      const response = await replayAction(api, other, { cookie, origin: 'https://attacker.example' });
      expect(response.status(), other.url).toBe(403);
      tried++;
    }
    expect(changedTables(before, await snapshotDb(sql))).toEqual([]);

    // Control: the very same request from the console's own origin does go through.
    const genuine = await replayAction(api, call, { cookie, origin, host });
    expect(genuine.status()).toBe(200);
    expect(changedTables(before, await snapshotDb(sql))).toContain('audit_events');

    await recordScenario({
      group: 'authorization',
      scenario: 'server actions with a valid session from a foreign Origin / Host / X-Forwarded-Host',
      expected: tried,
      stored: 0,
      lost: 0,
      duplicated: 0,
      note: `the guard refused all (403) for ${1 + others.length} actions; the same request from the console's origin saved`,
    });
  } finally {
    await api.dispose();
  }
});

/**
 * Starts a connect flow as the signed-in admin and signs in on the stand-in, but holds Microsoft's redirect back:
 * the emulator's answer is fetched here (a redirect cannot be routed in the browser) and its callback URL kept.
 */
async function captureCallback(page: Page): Promise<string> {
  let callback: string | undefined;
  const emulator = new URL(world().harnessUrl).origin;
  await page.route(
    (url) => url.origin === emulator,
    async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const response = await route.fetch({ maxRedirects: 0 });
      const location = new URL(response.headers().location ?? '/', emulator);
      if (location.pathname !== CALLBACK_PATH) return route.fulfill({ response });
      callback = location.toString();
      return route.fulfill({ status: 200, contentType: 'text/plain', body: 'held by the test' });
    },
  );
  await page.goto('/channels/microsoft365');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByRole('button', { name: 'Sign in as Bob Example (bob@contoso.test)' }).click();
  await expect.poll(() => callback).toBeTruthy();
  await page.unrouteAll({ behavior: 'wait' });
  return callback ?? '';
}

test('@reliability another admin cannot complete an admin’s Microsoft sign-in through the callback', async ({
  page,
  playwright,
  baseURL,
}) => {
  const origin = baseURL ?? '';
  await page.goto('/channels/microsoft365');
  if (!(await page.getByRole('button', { name: 'Add account' }).isVisible())) await submitAppForm(page, false);
  const callback = await captureCallback(page);
  expect(new URL(callback).searchParams.get('code')).toBeTruthy();

  await sql`insert into admins (email, password_hash) values (${INTRUDER}, 'not-a-password-hash') on conflict do nothing`;
  const api = await newApi(playwright, origin);
  try {
    // Forged first: each names a server-side session row, which must exist before the snapshot.
    const intruderCookie = await forgedSessionCookie(sql, 600, INTRUDER);
    const expiredCookie = await forgedSessionCookie(sql, -3600);
    const before = await settledSnapshot(sql);
    const intruder = await api.get(callback, {
      headers: { cookie: intruderCookie },
      maxRedirects: 0,
    });
    expect(
      new URL(intruder.headers().location ?? '', origin).pathname +
        new URL(intruder.headers().location ?? '', origin).search,
    ).toBe('/channels/microsoft365/connect/rejected?reason=foreign');
    const strangers: Record<string, string>[] = [{}, { cookie: expiredCookie }];
    for (const headers of strangers) {
      const refused = await api.get(callback, { headers, maxRedirects: 0 });
      expect(isSignIn(refused.headers().location ?? '', origin)).toBe(true);
    }
    expect(changedTables(before, await snapshotDb(sql))).toEqual([]);

    // The rightful admin still finishes it: the refused attempts did not use the flow up.
    await page.goto(callback);
    await expect(page.getByRole('heading', { level: 1, name: 'bob@contoso.test' })).toBeVisible();
    await expect(page.getByText(/^(Connected|Re-authenticated)\. The mailbox signed in/)).toBeVisible();

    await recordScenario({
      group: 'authorization',
      scenario: 'OAuth callback of one admin’s flow sent by another admin, anonymously, or with an expired session',
      expected: 3,
      stored: 0,
      lost: 0,
      duplicated: 0,
      note: 'rejected as foreign / sent to sign-in; the flow stayed usable and its admin completed it',
    });
  } finally {
    await api.dispose();
    await sql`delete from admins where email = ${INTRUDER}`;
  }
});
