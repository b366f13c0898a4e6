import { randomUUID } from 'node:crypto';
import type { APIRequestContext, Page } from '@playwright/test';
import { recordScenario } from '../test/reliability/support/scenarios';
import { connectMailbox, ensureSignedIn, resetConsole } from './support/console-state';
import { changedTables, snapshotDb, withE2eDatabase, type DbSnapshot } from './support/db-snapshot';
import { HOSTILE_IDS, hostileStrings, pick } from './support/hostile-input';
import { libraryTextIn, libraryTextInHtml } from './support/library-text';
import { rawRequest, type RawResponse } from './support/raw-http';
import { recordBody } from './support/response-log';
import { callServerAction, serverActionIds, shownText } from './support/server-action';
import { expect, test } from './support/test';
import { ALICE, world } from './support/world';
import { prng } from '../test/harness/random';

// Seeded: a failure names an input that fails the same way on the next run.
const SEED = 98_001;
const CALLBACK = '/api/v1/external_credentials/microsoft365/callback';
const GROUP = 'hostile input';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

/** Percent-encodes the UTF-8 bytes, so NUL, CR LF, lone surrogates (as U+FFFD) and 16 KB values all travel. */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

async function cookieHeader(page: Page): Promise<string> {
  return (await page.context().cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
}

/** A live mailbox to aim the account forms at: Alice's, connected (with the app saved) when it is not yet. */
function liveAccountId(page: Page): Promise<string> {
  return connectMailbox(page, ALICE);
}

/** Checks one answer of a page or route: never a 5xx, never library text, kept for the secret scan. */
function checkAnswer(what: string, response: RawResponse, problems: string[]): string {
  const text = response.body.toString('utf8');
  recordBody(what, response.headers['content-type'] ?? '', response.body);
  if (response.status >= 500 || !response.status) problems.push(`${what} → ${response.status}`);
  const found = /text\/html/.test(response.headers['content-type'] ?? '')
    ? libraryTextInHtml(text)
    : libraryTextIn(text);
  if (found.length > 0) problems.push(`${what} → ${response.status} shows ${found.join(', ')}`);
  return text;
}

interface FormCase {
  scenario: string;
  action: string;
  path: string;
  /** Admin session (the console) or none (sign-in, set-up). */
  anonymous?: boolean;
  fields: (hostile: string, rand: () => number, index: number) => Array<readonly [string, string]>;
}

/** An address that can never pass validation, whatever `hostile` holds: "@@" is not a valid e-mail address. */
const badAddress = (hostile: string, rand: () => number) =>
  pick(rand, [`${hostile}@@example.com`, `@@${hostile}`, `a@@${hostile}`]);
/** Never a UUID: the "z". */
const badId = (hostile: string) => `z${hostile}`;
const maybe = (rand: () => number, field: readonly [string, string]) => (rand() < 0.15 ? [] : [field]);

function formCases(accountId: string): FormCase[] {
  return [
    {
      scenario: 'sign-in form',
      action: 'signInWithPassword',
      path: '/sign-in',
      anonymous: true,
      fields: (h, r) => [
        ...maybe(r, ['email', badAddress(h, r)]),
        ...maybe(r, ['password', h]),
        ...maybe(r, [
          'next',
          pick(r, [h, '//evil.example', '/\\evil.example', 'https://evil.example/', '/\t/evil.example']),
        ]),
      ],
    },
    {
      scenario: 'first-run set-up form',
      action: 'createFirstAdmin',
      path: '/setup',
      anonymous: true,
      // A valid address reaches the "set-up is closed" answer, with a hostile name and password behind it.
      fields: (h, r, i) => {
        const password = pick(r, [h, `${h}${'p'.repeat(12)}`]);
        return [
          ['name', h],
          ...maybe(r, ['email', i % 3 === 0 ? `fuzz${i}@example.com` : badAddress(h, r)]),
          ...maybe(r, ['password', password]),
          ...maybe(r, ['confirmPassword', pick(r, [password, h, ''])]),
        ];
      },
    },
    {
      scenario: 'app credentials form',
      action: 'saveAppCredentialsAction',
      path: '/channels/microsoft365',
      fields: (h, r) => [
        ...maybe(r, ['clientId', pick(r, [`g${h}`, `${h}-0000-4000-8000-123456789abc`.replace(/^/, 'x')])]),
        ...maybe(r, ['clientSecret', h]),
        ...maybe(r, ['tenant', pick(r, [h, `${h}.example.com`, 'consumers'])]),
        ...maybe(r, ['secretExpiresOn', pick(r, [h, '2027-02-30', '99999-01-01', '2027-1-1'])]),
        ...maybe(r, ['cloud', pick(r, [h, 'global', 'GLOBAL', 'china '])]),
      ],
    },
    {
      scenario: 'shared mailbox form',
      action: 'addSharedMailboxAction',
      path: '/channels/microsoft365',
      fields: (h, r) => maybe(r, ['mailbox', badAddress(h, r)]),
    },
    {
      scenario: 're-authenticate button',
      action: 'reauthenticateAction',
      path: '/channels/microsoft365',
      fields: (h, r) => maybe(r, ['accountId', badId(h)]),
    },
    {
      scenario: 'retry sign-in button',
      action: 'retryConnectAction',
      path: '/channels/microsoft365',
      fields: (h, r) => [...maybe(r, ['flowId', pick(r, [badId(h), randomUUID()])]), ...maybe(r, ['consent', h])],
    },
    {
      scenario: 'account settings form',
      action: 'saveAccountSettingsAction',
      path: `/channels/microsoft365/accounts/${accountId}`,
      fields: (h, r, i) => {
        const folders = Array.from({ length: pick(r, [0, 1, 2, 3, 51]) }, () => h);
        switch (i % 5) {
          case 0: // no such mailbox
            return [
              ['accountId', pick(r, [badId(h), randomUUID()])],
              ['afterFetch', 'keep'],
              ...folders.map((f) => ['folders', f] as const),
            ];
          case 1: // an unknown after-fetch mode
            return [['accountId', accountId], ['afterFetch', `x${h}`], ...folders.map((f) => ['folders', f] as const)];
          case 2: // folder names no IMAP server has: NUL and other controls
            return [
              ['accountId', accountId],
              ['afterFetch', 'keep'],
              ['folders', `${h}\u0000`],
              ['folders', `INBOX${String.fromCharCode(Math.floor(r() * 32))}${h}`],
            ];
          case 3: // blank or oversized folder names
            return [
              ['accountId', accountId],
              ['afterFetch', 'mark_seen'],
              ['folders', pick(r, [' ', '\t', 'F'.repeat(1001 + h.length)])],
            ];
          default: // delete without the confirmation
            return [
              ['accountId', accountId],
              ['afterFetch', 'delete'],
              ['folders', 'INBOX'],
              ...maybe(r, ['confirmDelete', `x${h}`]),
            ];
        }
      },
    },
    {
      scenario: 'enable / disable buttons',
      action: 'setAccountEnabledAction',
      path: `/channels/microsoft365/accounts/${accountId}`,
      fields: (h, r) => [
        ...maybe(r, ['accountId', pick(r, [badId(h), randomUUID(), accountId])]),
        ...maybe(r, ['enabled', `x${h}`]),
      ],
    },
    {
      scenario: 'remove mailbox form',
      action: 'removeAccountAction',
      path: `/channels/microsoft365/accounts/${accountId}`,
      fields: (h, r, i) =>
        i % 2 === 0
          ? [
              ...maybe(r, ['accountId', pick(r, [badId(h), randomUUID()])]),
              ['messages', pick(r, ['keep', 'delete', h])],
              ['confirm', pick(r, ['yes', h])],
            ]
          : [
              ['accountId', accountId],
              ...(r() < 0.5
                ? [['messages', `x${h}`] as const, ['confirm', 'yes'] as const]
                : [['messages', 'keep'] as const, ['confirm', `x${h}`] as const]),
            ],
    },
    {
      scenario: 'sync now button',
      action: 'syncNowAction',
      path: `/channels/microsoft365/accounts/${accountId}`,
      fields: (h, r) => maybe(r, ['accountId', pick(r, [badId(h), randomUUID()])]),
    },
    {
      scenario: 'send test message form',
      action: 'sendTestMessageAction',
      path: `/channels/microsoft365/accounts/${accountId}`,
      fields: (h, r) => [
        ...maybe(r, ['accountId', pick(r, [badId(h), accountId])]),
        ...maybe(r, ['to', badAddress(h, r)]),
        ...maybe(r, ['subject', h]),
        ...maybe(r, ['body', h]),
      ],
    },
    {
      scenario: 'verify mail flow button',
      action: 'verifyMailFlowAction',
      path: `/channels/microsoft365/accounts/${accountId}`,
      fields: (h, r) => maybe(r, ['accountId', pick(r, [badId(h), randomUUID()])]),
    },
  ];
}

const INPUTS_PER_FORM = 48;

test('@reliability every console form answers hostile input with a plain form error and changes nothing', async ({
  page,
  playwright,
  baseURL,
}) => {
  test.setTimeout(600_000);
  const accountId = await liveAccountId(page);
  const ids = serverActionIds();
  const anonymous = await playwright.request.newContext({ baseURL });
  const before = await withE2eDatabase(snapshotDb);
  const results: Array<{ scenario: string; tried: number; problems: string[] }> = [];
  try {
    for (const [index, form] of formCases(accountId).entries()) {
      const actionId = ids.get(form.action);
      expect(actionId, `${form.action} is in the build`).toBeTruthy();
      const rand = prng(SEED + index);
      const problems: string[] = [];
      const inputs = hostileStrings(SEED + index, INPUTS_PER_FORM);
      for (const [i, hostile] of inputs.entries()) {
        const fields = form.fields(hostile, rand, i);
        const request: APIRequestContext = form.anonymous ? anonymous : page.request;
        const answer = await callServerAction(request, form.path, actionId ?? '', fields);
        recordBody(`${form.path} ${form.action}`, 'text/x-component', answer.text);
        const label = `${form.scenario} #${i} ${JSON.stringify(fields).slice(0, 160)}`;
        if (answer.status >= 500) problems.push(`${label} → HTTP ${answer.status}`);
        else if (answer.redirect) problems.push(`${label} → redirected to ${answer.redirect}`);
        else if (!answer.state || answer.state.ok === true || shownText(answer.state).length === 0)
          problems.push(`${label} → no form error: ${answer.text.slice(0, 200)}`);
        for (const words of shownText(answer.state)) {
          const found = libraryTextIn(words);
          if (found.length > 0) problems.push(`${label} → shows ${found.join(', ')}: ${words.slice(0, 160)}`);
        }
        const echoed = (answer.state?.values ?? {}) as Record<string, string>;
        for (const secret of ['password', 'confirmPassword', 'clientSecret'])
          if (secret in echoed) problems.push(`${label} → echoes ${secret}`);
      }
      results.push({ scenario: form.scenario, tried: inputs.length, problems });
    }
  } finally {
    await anonymous.dispose();
  }
  const changed = changedTables(before, await withE2eDatabase(snapshotDb));
  for (const result of results) {
    await recordScenario({
      group: GROUP,
      scenario: `${result.scenario}: seeded hostile values`,
      expected: result.tried,
      stored: result.problems.length + changed.length,
      lost: 0,
      duplicated: 0,
      note:
        result.problems.length === 0
          ? `plain form error for all ${result.tried}, no 5xx, no library text`
          : result.problems[0]?.slice(0, 120),
    });
  }
  expect(results.flatMap((r) => r.problems)).toEqual([]);
  expect(changed, 'tables changed by refused input').toEqual([]);
});

/** Query strings Microsoft never sends: any parameter, any length up to 16 KB, any bytes, repeated names. */
function hostileCallbackQueries(count: number): string[] {
  const rand = prng(SEED + 100);
  const values = hostileStrings(SEED + 100, count);
  const names = ['state', 'code', 'error', 'error_description', 'admin_consent', 'tenant', 'session_state', 'state'];
  return values.map((value, i) => {
    const params: string[] = [];
    const wellFormedState = Array.from({ length: 43 }, () =>
      pick(rand, [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']),
    ).join('');
    if (i % 2 === 0) params.push(`state=${wellFormedState}`);
    for (let n = between0(rand, 4) + 1; n > 0; n -= 1) params.push(`${pick(rand, names)}=${percentEncode(value)}`);
    if (i % 7 === 0) params.push('error=access_denied', `error_description=${percentEncode(value)}`);
    if (i % 11 === 0) params.push('%00=%00', 'code=%zz', 'state');
    const query = params.join('&');
    return query.length > 16_384 ? query.slice(0, 16_384) : query;
  });
}

function between0(rand: () => number, max: number) {
  return Math.floor(rand() * max);
}

test('@reliability the OAuth callback refuses any hostile query with a readable page and changes nothing', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const cookie = await cookieHeader(page);
  const queries = hostileCallbackQueries(160);
  const problems: string[] = [];
  const reasons = new Set<string>();
  const before = await withE2eDatabase(snapshotDb);
  for (const [i, query] of queries.entries()) {
    const signedIn = i % 8 !== 0;
    const response = await rawRequest(baseURL ?? '', {
      target: `${CALLBACK}?${query}`,
      headers: signedIn ? [['Cookie', cookie]] : [],
    });
    const what = `callback #${i} (${signedIn ? 'admin' : 'no session'}) ?${query.slice(0, 100)}`;
    checkAnswer(what, response, problems);
    const location = response.headers.location ?? '';
    if (response.status >= 400 && response.status < 500) continue; // e.g. 431 for a 16 KB request line: refused unread
    if (response.status < 300 || response.status >= 400)
      problems.push(`${what} → ${response.status}, expected a redirect`);
    else if (signedIn) {
      const reason = /^\/channels\/microsoft365\/connect\/rejected\?reason=(invalid|unknown)$/.exec(location)?.[1];
      if (reason) reasons.add(reason);
      else problems.push(`${what} → ${location.slice(0, 120)}`);
    } else if (!location.startsWith('/sign-in?next=')) problems.push(`${what} → ${location.slice(0, 120)}`);
  }
  // Where the refused callbacks land: a page that says what happened in plain words.
  for (const reason of reasons) {
    const response = await page.goto(`/channels/microsoft365/connect/rejected?reason=${reason}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByTestId('connect-error-title')).toHaveText(
      reason === 'invalid'
        ? 'This sign-in answer is not one the console can read.'
        : 'This sign-in was not started from this console.',
    );
    expect(libraryTextIn(await page.locator('main').innerText())).toEqual([]);
  }
  const changed = changedTables(before, await withE2eDatabase(snapshotDb));
  await recordScenario({
    group: GROUP,
    scenario: 'OAuth callback: hostile query strings (up to 16 KB, NUL, CRLF, RTL, repeats)',
    expected: queries.length,
    stored: problems.length + changed.length,
    lost: 0,
    duplicated: 0,
    note: problems[0]?.slice(0, 120) ?? `refused page for all, reasons: ${[...reasons].join(', ')}`,
  });
  expect(problems).toEqual([]);
  expect(reasons.size).toBeGreaterThan(0);
  expect(changed).toEqual([]);
});

test('@reliability a live sign-in answered with a hostile error or code ends on a readable failure page', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(300_000);
  await liveAccountId(page);
  const addAccount = serverActionIds().get('addAccountAction') ?? '';
  const cookie = await cookieHeader(page);
  const hostile = hostileStrings(SEED + 200, 12);
  const problems: string[] = [];
  const before = await withE2eDatabase(snapshotDb);
  for (const [i, value] of hostile.entries()) {
    const started = await callServerAction(page.request, '/channels/microsoft365', addAccount, []);
    const state = started.redirect ? new URL(started.redirect.split(';')[0] ?? '').searchParams.get('state') : null;
    expect(state, 'Add account sends the browser to Microsoft with a state').toBeTruthy();
    const query =
      i % 3 === 2
        ? `state=${state}&code=${percentEncode(value || 'x')}`
        : `state=${state}&error=${pick(prng(i), ['access_denied', 'invalid_request', 'server_error', 'consent_required'])}&error_description=${percentEncode(value)}`;
    const response = await rawRequest(baseURL ?? '', { target: `${CALLBACK}?${query}`, headers: [['Cookie', cookie]] });
    const what = `live callback #${i} ?${query.slice(0, 100)}`;
    checkAnswer(what, response, problems);
    const flowPage = /^\/channels\/microsoft365\/connect\/([0-9a-f-]{36})$/.exec(response.headers.location ?? '');
    if (!flowPage) {
      problems.push(`${what} → ${response.status} ${response.headers.location ?? ''}`);
      continue;
    }
    const shown = await page.goto(flowPage[0]);
    expect(shown?.status()).toBe(200);
    await expect(page.getByRole('heading', { name: 'The mailbox was not connected' })).toBeVisible();
    const words = await page.getByTestId('connect-error-title').innerText();
    if (!words.trim() || libraryTextIn(words).length > 0) problems.push(`${what} → title "${words}"`);
  }
  // Each sign-in above was started and ended here: its own flow row (and audit lines) may change, nothing else.
  const changed = changedTables(before, await withE2eDatabase(snapshotDb)).filter(
    (table) => table !== 'oauth_flows' && table !== 'audit_events',
  );
  await recordScenario({
    group: GROUP,
    scenario: 'OAuth callback: live sign-in answered with hostile error_description / code',
    expected: hostile.length,
    stored: problems.length + changed.length,
    lost: 0,
    duplicated: 0,
    note: problems[0]?.slice(0, 120) ?? 'readable failure page for all, no 5xx',
  });
  expect(problems).toEqual([]);
  expect(changed).toEqual([]);
});

function cronAuthorizations(secret: string): Array<Array<readonly [string, string]>> {
  const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'a' ? 'b' : 'a') + s.slice(at + 1);
  const fixed: Array<Array<readonly [string, string]>> = [
    [],
    [['Authorization', '']],
    [['Authorization', 'Bearer']],
    [['Authorization', 'Bearer ']],
    [['Authorization', `bearer ${secret}`]],
    [['Authorization', `BEARER ${secret}`]],
    [['Authorization', `Basic ${Buffer.from(`:${secret}`).toString('base64')}`]],
    [['Authorization', `Token ${secret}`]],
    [['Authorization', secret]],
    [['Authorization', `Bearer  ${secret}`]],
    [['Authorization', `Bearer\t${secret}`]],
    [['Authorization', `Bearer ${secret.slice(0, -1)}`]],
    [['Authorization', `Bearer ${secret}x`]],
    [['Authorization', `Bearer ${secret.toUpperCase()}`]],
    [['Authorization', `Bearer ${flip(secret, 0)}`]],
    [['Authorization', `Bearer ${flip(secret, secret.length - 1)}`]],
    [['Authorization', `Bearer ${secret}${secret}`]],
    [['Authorization', `Bearer ${secret.slice(0, 16)}`]],
    [['Authorization', `Bearer "${secret}"`]],
    [['Authorization', `Bearer ${secret}é`]],
    [['Authorization', `Bearer \u202E${secret}`]],
    [['Authorization', `Bearer ${secret}\u200B`]],
    [['Authorization', `Bearer ${secret}\u0000`]],
    [['Authorization', `Bearer ${secret}, Bearer x`]],
    [
      ['Authorization', 'Bearer x'],
      ['Authorization', `Bearer ${secret}`],
    ],
    [['Authorization', `Bearer x\r\nX-Injected: 1`]],
    [['Authorization', `Bearer ${'A'.repeat(8_000)}`]],
    [['Authorization', `Bearer ${'A'.repeat(20_000)}`]],
    [['Proxy-Authorization', `Bearer ${secret}`]],
    [['X-Cron-Secret', secret]],
    [['Cookie', `CRON_SECRET=${secret}`]],
  ];
  const random = hostileStrings(SEED + 300, 60).map((value) => [['Authorization', `Bearer ${value}`] as const]);
  return [...fixed, ...random];
}

test('@reliability the cron route answers every wrong Authorization with 401 and syncs nothing', async ({
  baseURL,
}) => {
  test.setTimeout(300_000);
  const secret = world().cronSecret;
  const variants = cronAuthorizations(secret);
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  const before = await withE2eDatabase(snapshotDb);
  let tried = 0;
  for (const method of ['GET', 'POST']) {
    for (const [i, headers] of variants.entries()) {
      tried += 1;
      const target = i === 0 ? `/api/cron/sync?secret=${secret}&token=${secret}` : '/api/cron/sync';
      const response = await rawRequest(baseURL ?? '', {
        method,
        target,
        headers: method === 'POST' ? [...headers, ['Content-Length', '0']] : headers,
      });
      const what = `${method} cron #${i} ${JSON.stringify(headers).slice(0, 80)}`;
      const text = checkAnswer(what, response, problems);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 401) {
        if (!text.includes('Missing or wrong bearer secret.') || response.headers['www-authenticate'] !== 'Bearer')
          problems.push(`${what} → 401 without the plain answer`);
      } else if (![400, 431].includes(response.status)) problems.push(`${what} → ${response.status}`);
    }
  }
  const changed = changedTables(before, await withE2eDatabase(snapshotDb));
  const summary = [...statuses].map(([status, n]) => `${n}×${status}`).join(', ');
  await recordScenario({
    group: GROUP,
    scenario: 'cron route: hostile Authorization headers (GET and POST)',
    expected: tried,
    stored: problems.length + changed.length,
    lost: 0,
    duplicated: 0,
    note: problems[0]?.slice(0, 120) ?? summary,
  });
  expect(problems).toEqual([]);
  expect(statuses.get(401)).toBeGreaterThan(tried / 2);
  expect(changed).toEqual([]);
});

test('@reliability hostile message, attachment and record ids in URLs are a plain 404 and never reach the database', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const cookie = await cookieHeader(page);
  const messageId = await withE2eDatabase(
    async (sql) => (await sql<{ id: string }[]>`select id::text from messages order by id limit 1`)[0]?.id ?? '1',
  );
  const targets: string[] = [];
  for (const id of HOSTILE_IDS) {
    targets.push(
      `/messages/${id}`,
      `/api/v1/messages/${id}/body`,
      `/api/v1/messages/${id}/source`,
      `/api/v1/messages/${id}/attachments/1`,
      `/api/v1/messages/${messageId}/attachments/${id}`,
      `/api/v1/messages/${messageId}/attachments/${id}?inline=1&token=${id}`,
      `/channels/microsoft365/accounts/${id}`,
      `/channels/microsoft365/connect/${id}`,
      `/api/v1/accounts/${id}/sync-progress`,
    );
  }
  // Traversal as the raw request line carries it: no client normalised these.
  const traversal = [
    '/messages/../../../../etc/passwd',
    '/api/v1/messages/../../../../etc/passwd/source',
    '/api/v1/messages/1/../../../../../.env',
    '/messages/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/api/v1/messages/..%2f..%2f..%2f.env/source',
    '/api/v1/messages/%2e%2e%2f%2e%2e%2fpackage.json/body',
    '/api/v1/messages/1/attachments/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/messages/..\\..\\..\\etc\\passwd',
  ];
  const problems: string[] = [];
  const statuses = new Map<number, number>();
  const before = await withE2eDatabase(snapshotDb);
  for (const target of [...targets, ...traversal]) {
    const response = await rawRequest(baseURL ?? '', { target, headers: [['Cookie', cookie]] });
    const text = checkAnswer(target, response, problems);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (/root:x:0:0|DATABASE_URL|APP_ENCRYPTION_KEY|"dependencies"/.test(text))
      problems.push(`${target} → served a file`);
    if (traversal.includes(target)) {
      if (response.status < 300 && !/\/sign-in|\/setup/.test(response.headers.location ?? '')) {
        // Normalised to another console page is fine, as long as it is one of ours and not a file.
        if (!text.includes('Mailgate')) problems.push(`${target} → ${response.status} with foreign content`);
      }
    } else if (response.status !== 404 && response.status !== 400) problems.push(`${target} → ${response.status}`);
  }
  // A page number is no id, but the same values: the first page or a redirect to it, never a 500.
  const pageNumbers = HOSTILE_IDS.map((id) => `/channels/microsoft365?page=${encodeURIComponent(id)}`);
  for (const target of pageNumbers) {
    const response = await rawRequest(baseURL ?? '', { target, headers: [['Cookie', cookie]] });
    checkAnswer(target, response, problems);
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (response.status !== 200 && response.status !== 307) problems.push(`${target} → ${response.status}`);
  }
  const changed = changedTables(before, await withE2eDatabase(snapshotDb));
  const tried = targets.length + traversal.length + pageNumbers.length;
  const summary = [...statuses].map(([status, n]) => `${n}×${status}`).join(', ');
  await recordScenario({
    group: GROUP,
    scenario: 'ids in URLs: non-numeric, negative, > 2^63, floats, unicode, traversal',
    expected: tried,
    stored: problems.length + changed.length,
    lost: 0,
    duplicated: 0,
    note: problems[0]?.slice(0, 120) ?? summary,
  });
  expect(problems).toEqual([]);
  expect(changed).toEqual([]);
});

test('@reliability the message list ignores hostile filters in its query with a plain notice', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const cookie = await cookieHeader(page);
  const rand = prng(SEED + 400);
  const values = hostileStrings(SEED + 400, 80);
  const names = ['q', 'folder', 'account', 'before', 'after', 'attachments', 'errors', 'skipped', 'q'];
  const problems: string[] = [];
  const before = await withE2eDatabase(snapshotDb);
  const cursors = [
    '-99999999999999999-1',
    '99999999999999999-9999999999999999',
    '0-0',
    '1-99999999999999999999',
    '-1--1',
    `${'9'.repeat(40)}-1`,
  ];
  for (const [i, value] of values.entries()) {
    const params = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
      const name = pick(rand, names);
      return `${name}=${percentEncode(name === 'before' || name === 'after' ? pick(rand, [...cursors, value]) : value)}`;
    });
    const target = `/messages?${params.join('&')}`.slice(0, 16_000);
    const response = await rawRequest(baseURL ?? '', { target, headers: [['Cookie', cookie]] });
    checkAnswer(`message list #${i} ${target.slice(0, 100)}`, response, problems);
    if (response.status !== 200 && response.status !== 431 && response.status !== 400)
      problems.push(`message list #${i} ${target.slice(0, 100)} → ${response.status}`);
  }
  const changed = changedTables(before, await withE2eDatabase(snapshotDb));
  await recordScenario({
    group: GROUP,
    scenario: 'message list: hostile search, folder, account and cursor parameters',
    expected: values.length,
    stored: problems.length + changed.length,
    lost: 0,
    duplicated: 0,
    note: problems[0]?.slice(0, 120) ?? 'list page or notice for all, no 5xx',
  });
  expect(problems).toEqual([]);
  expect(changed).toEqual([]);
});

/** The browser's view of one hostile submission: the form shows its error and the markup stays inert. */
test('@reliability a hostile value typed into the app form comes back as text, with the error in plain words', async ({
  page,
}) => {
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs += 1;
    void dialog.dismiss();
  });
  const before: DbSnapshot = await withE2eDatabase(snapshotDb);
  await page.goto('/channels/microsoft365');
  const hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
  await page.getByLabel('Application (client) ID').fill(hostile);
  await page.getByLabel('Directory (tenant) ID or domain').fill('\u202Eevil.example\u202C');
  await page.getByRole('button', { name: /^(Connect Microsoft 365 App|Save changes)$/ }).click();
  await expect(page.getByText(/Enter the Application \(client\) ID: a GUID/)).toBeVisible();
  await expect(page.getByLabel('Application (client) ID')).toHaveValue(hostile);
  expect(libraryTextIn(await page.locator('main').innerText())).toEqual([]);
  expect(dialogs).toBe(0);
  const changed = changedTables(before, await withE2eDatabase(snapshotDb));
  await recordScenario({
    group: GROUP,
    scenario: 'app form in the browser: markup and bidi text typed in',
    expected: 1,
    stored: changed.length + dialogs,
    lost: 0,
    duplicated: 0,
    note: 'field error shown, value echoed as text, no script ran',
  });
  expect(changed).toEqual([]);
});
