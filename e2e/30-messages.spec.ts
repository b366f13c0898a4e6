import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import postgres from 'postgres';
import type { Page } from '@playwright/test';
import { connectMailbox, ensureSignedIn, resetConsole, withAdminPage } from './support/console-state';
import { expect, test } from './support/test';
import { ALICE, world } from './support/world';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);
test.beforeAll(async ({ browser }) => withAdminPage(browser, (page) => connectMailbox(page, ALICE)));

// Words no other message contains, so a search can only find this one.
const token = randomBytes(4).toString('hex');
const SUBJECT = `Hostile newsletter zq${token}`;
const BODY_WORD = `flamingo${token}`;
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const REMOTE_IMAGES = 'https://images.remote.test/**';
const HOSTILE_HTML = `<p>Hello <b>Alice</b>, welcome.</p>
<script>window.parent.__pwned = 1</script>
<img src="x" onerror="window.parent.__pwned = 2">
<a id="js-link" href="javascript:window.parent.__pwned = 3">click me</a>
<form action="/audit" method="get"><input name="q" value="x"><button>Send the form</button></form>
<meta http-equiv="refresh" content="0;url=/audit">
<img id="inline" src="cid:logo@e2e.test" alt="inline logo">
<img id="remote" src="https://images.remote.test/pixel.png" alt="remote pixel">`;
// Bare LF, CRLF and bytes that are not UTF-8: the download must be these exact bytes.
const SOURCE = Buffer.concat([
  Buffer.from(`From: news@fabrikam.test\nSubject: ${SUBJECT}\r\n\r\n`),
  Buffer.from([0xff, 0x00, 0xfe]),
  Buffer.from(`\n${BODY_WORD}\r\n`),
]);

let messageId = 0;

test.beforeAll(async () => {
  const sql = postgres(world().databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [account] = await sql<
      { id: string }[]
    >`select id from mail_accounts where email_address = 'alice@contoso.test' and kind = 'user'`;
    if (!account) throw new Error('alice@contoso.test is not connected');
    const [message] = await sql<{ id: string }[]>`insert into messages
      (account_id, folder, uidvalidity, uid, subject, from_address, to_addresses, internal_date, size, snippet, text, html, has_attachments)
      values (${account.id}, 'INBOX', 999999, 1, ${SUBJECT}, 'News <news@fabrikam.test>', ${['alice@contoso.test']}, now(), ${SOURCE.length},
        'Hello Alice, welcome.', ${`Hello Alice, the ${BODY_WORD} edition.`}, ${HOSTILE_HTML}, true)
      returning id`;
    messageId = Number(message!.id);
    await sql`insert into message_sources (message_id, source, sha256) values (${messageId}, ${SOURCE}, ${createHash('sha256').update(SOURCE).digest('hex')})`;
    const attachment = (filename: string, contentType: string, content: Buffer, contentId: string | null) =>
      sql`insert into attachments (message_id, filename, original_filename, content_type, size, content_id, inline, checksum, content)
        values (${messageId}, ${filename}, ${filename}, ${contentType}, ${content.length}, ${contentId}, ${contentId !== null}, 'x', ${content})`;
    await attachment('report.html', 'text/html', Buffer.from('<script>alert(1)</script>'), null);
    await attachment('logo.png', 'image/png', PIXEL, 'logo@e2e.test');
  } finally {
    await sql.end();
  }
});

test.beforeEach(async ({ page }) => {
  await ensureSignedIn(page);
});

const bodyFrame = (page: Page) => page.frameLocator('iframe[title="Message body"]');
const naturalWidth = (page: Page, id: string) =>
  bodyFrame(page)
    .locator(`#${id}`)
    .evaluate((img: HTMLImageElement) => img.naturalWidth);
const probe = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);

async function search(page: Page, words: string) {
  await page.getByLabel('Search').fill(words);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL((url) => url.searchParams.get('q') === words);
}

test('the list shows the message, and search finds it by subject and by a word of its body', async ({ page }) => {
  await page.goto('/messages');
  const row = page.getByRole('row', { name: new RegExp(SUBJECT) });
  await expect(row).toBeVisible();
  await expect(row.getByText('alice@contoso.test')).toBeVisible();
  await expect(row.getByText('Attachment', { exact: true })).toBeVisible();

  await search(page, `zq${token}`);
  await expect(page.getByRole('link', { name: SUBJECT })).toBeVisible();
  await expect(page.getByRole('row')).toHaveCount(2); // the header and this message
  await search(page, BODY_WORD);
  await expect(page.getByRole('link', { name: SUBJECT })).toBeVisible();
  await page.getByLabel('Account').selectOption({ label: 'alice@contoso.test' });
  await page.getByLabel('Has attachments').check();
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/attachments=1/);
  await expect(page.getByRole('link', { name: SUBJECT })).toBeVisible();
  await search(page, `nothing${token}`);
  await expect(page.getByRole('heading', { name: 'No messages match' })).toBeVisible();

  await page.goto('/messages?account=nope&before=garbage');
  await expect(page.getByText('Ignored an unusable value for: Account, Page position.')).toBeVisible();
});

test('the hostile HTML body is inert: no script, handler, javascript: link, form or refresh works', async ({
  page,
}) => {
  await page.goto('/messages');
  await page.getByRole('link', { name: SUBJECT }).click();
  await expect(page.getByRole('heading', { level: 1, name: SUBJECT })).toBeVisible();
  const messageUrl = page.url();
  const frame = bodyFrame(page);
  await expect(frame.getByText('Hello Alice, welcome.')).toBeVisible();
  await expect(page.locator('iframe[title="Message body"]')).toHaveAttribute(
    'sandbox',
    'allow-popups allow-popups-to-escape-sandbox',
  );
  // The inline cid: image loads through the attachment route, so the frame did load its images.
  await expect.poll(() => naturalWidth(page, 'inline')).toBe(1);

  await frame.getByText('click me').click();
  await expect(frame.getByRole('button')).toHaveCount(0);
  await expect(frame.locator('form, script, meta[http-equiv]')).toHaveCount(0);
  await page.waitForTimeout(500); // a meta refresh or a late handler would have fired by now
  expect(await probe(page)).toBeUndefined();
  expect(page.url()).toBe(messageUrl);
});

test('remote images stay blocked until “Load remote images”', async ({ page }) => {
  let remoteRequests = 0;
  await page.route(REMOTE_IMAGES, (route) => {
    remoteRequests += 1;
    return route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL });
  });
  await page.goto(`/messages/${messageId}`);
  await expect.poll(() => naturalWidth(page, 'inline')).toBe(1);
  expect(await naturalWidth(page, 'remote')).toBe(0);
  expect(remoteRequests).toBe(0);

  await page.getByRole('link', { name: 'Load remote images' }).click();
  await expect(page).toHaveURL(/\?remote=1$/);
  await expect.poll(() => naturalWidth(page, 'remote')).toBe(1);
  expect(remoteRequests).toBeGreaterThan(0);
  await expect(page.getByRole('link', { name: 'Block remote images' })).toBeVisible();
});

test('the body route is framed only by the console, with its own strict policy', async ({ page }) => {
  const body = await page.request.get(`/api/v1/messages/${messageId}/body`);
  expect(body.headers()['content-security-policy']).toBe(
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox allow-popups allow-popups-to-escape-sandbox",
  );
  expect(body.headers()['x-frame-options']).toBe('SAMEORIGIN');
  expect(body.headers()['x-content-type-options']).toBe('nosniff');
  const remote = await page.request.get(`/api/v1/messages/${messageId}/body?remote=1`);
  expect(remote.headers()['content-security-policy']).toContain("img-src 'self' data: https:;");
  // Everything else keeps the console-wide framing ban.
  const list = await page.request.get('/messages');
  expect(list.headers()['x-frame-options']).toBe('DENY');
  expect(list.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});

test('an attachment downloads as an attachment, and the original .eml byte for byte', async ({ page }) => {
  await page.goto(`/messages/${messageId}`);
  const attachments = page.getByRole('region', { name: 'Attachments' });
  await expect(attachments.getByText('logo.png')).toHaveCount(0); // inline parts belong to the body

  const [file] = await Promise.all([
    page.waitForEvent('download'),
    attachments.getByRole('link', { name: 'report.html' }).click(),
  ]);
  expect(file.suggestedFilename()).toBe('report.html');
  const href = await attachments.getByRole('link', { name: 'report.html' }).getAttribute('href');
  const response = await page.request.get(href!);
  expect(response.headers()['content-disposition']).toMatch(
    /^attachment; filename="report\.html"; filename\*=UTF-8''report\.html$/,
  );
  expect(response.headers()['content-type']).toBe('application/octet-stream');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');

  const [eml] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download original (.eml)' }).click(),
  ]);
  expect(eml.suggestedFilename()).toBe(`message-${messageId}.eml`);
  expect((await readFile((await eml.path())!)).equals(SOURCE)).toBe(true);
});

test('an unknown or malformed message id is a 404', async ({ page }) => {
  for (const path of ['/messages/999999999', '/messages/abc']) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
  }
  expect((await page.request.get('/api/v1/messages/abc/source')).status()).toBe(404);
  expect((await page.request.get(`/api/v1/messages/${messageId}/attachments/999999999`)).status()).toBe(404);
});

test('without a session the body, attachment and source routes refuse', async ({ playwright, baseURL }) => {
  const anonymous = await playwright.request.newContext({ baseURL });
  try {
    for (const path of [
      `/api/v1/messages/${messageId}/body`,
      `/api/v1/messages/${messageId}/source`,
      `/api/v1/messages/${messageId}/attachments/1`,
    ]) {
      const response = await anonymous.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(401);
      const navigating = await anonymous.get(path, { maxRedirects: 0, headers: { 'sec-fetch-mode': 'navigate' } });
      expect([navigating.status(), navigating.headers().location], path).toEqual([303, '/sign-in']);
    }
  } finally {
    await anonymous.dispose();
  }
});
