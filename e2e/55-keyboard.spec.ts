import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { Page } from '@playwright/test';
import { Maildirs } from '../test/harness/maildir';
import { ADMIN } from './support/admin';
import { expect, test } from './support/test';
import { ALICE, world } from './support/world';
import { connectMailbox, resetConsole, syncAll, withAdminPage } from './support/console-state';

// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);
// Alice connected, with what her mailbox already holds synced: the message below is then the one new one.
test.beforeAll(async ({ browser }) =>
  withAdminPage(browser, async (page) => {
    await connectMailbox(page, ALICE);
    await syncAll(page.request);
  }),
);

// A long HTML message: only scrolling shows its last paragraph.
const SUBJECT = `Quarterly report kb${randomBytes(3).toString('hex')}`;
const HTML = `<h1>Quarterly report</h1>${Array.from({ length: 120 }, (_, i) => `<p>Paragraph ${i + 1} of the report.</p>`).join('')}`;
const RAW = Buffer.from(
  [
    'From: Reports <reports@fabrikam.test>',
    'To: alice@contoso.test',
    `Subject: ${SUBJECT}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(6).toString('hex')}@fabrikam.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    HTML,
  ].join('\r\n'),
);

/** Presses Tab until `isTarget(focused element, text)` holds in the page; fails after `max` presses. */
async function tabTo(
  page: Page,
  isTarget: (element: Element, text: string) => boolean,
  text = '',
  max = 120,
): Promise<void> {
  const check = `(${isTarget.toString()})(document.activeElement, ${JSON.stringify(text)})`;
  for (let press = 0; press < max; press++) {
    if (await page.evaluate(check)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached the element: ${check}`);
}

test('keyboard only: sign in, sync a mailbox, open the synced message and scroll its long body', async ({ page }) => {
  test.setTimeout(120_000);
  const sql = postgres(world().databaseUrl, { max: 1, onnotice: () => {} });
  let accountId: string;
  try {
    const [account] = await sql<{ id: string }[]>`select id from mail_accounts
      where email_address = 'alice@contoso.test' and kind = 'user' and removed_at is null`;
    if (!account) throw new Error('alice@contoso.test is not connected');
    accountId = account.id;
  } finally {
    await sql.end();
  }
  await new Maildirs(world().mailRoot).write('alice@contoso.test', 'INBOX', [{ raw: RAW }]);

  await page.context().clearCookies();
  await page.goto(`/channels/microsoft365/accounts/${accountId}`);
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  // The first field has focus: type, Tab, type, Enter.
  await expect(page.getByLabel('E-mail')).toBeFocused();
  await page.keyboard.type(ADMIN.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/channels/microsoft365/accounts/${accountId}$`));

  // On a page loaded afresh (F5; headless Chromium has no browser shortcuts, so reload), the skip link is the first
  // stop and lands in the main content.
  await page.reload();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to main content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();

  await tabTo(page, (e, text) => e.tagName === 'BUTTON' && e.textContent === text, 'Sync now');
  await page.keyboard.press('Enter');
  // Focus stays on the button while it works, instead of dropping to the page.
  await expect(page.getByRole('button', { name: /Sync now|Starting…/ })).toBeFocused();
  await expect(page.locator('[data-sync-outcome]')).toHaveText(/^Sync finished: 1 new message;/, { timeout: 60_000 });

  await tabTo(page, (e, text) => e.tagName === 'A' && e.textContent === text, 'Messages');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/messages$/);
  const subject = SUBJECT;
  await tabTo(
    page,
    new Function('e', `return e.tagName === 'A' && e.textContent === ${JSON.stringify(subject)}`) as (
      e: Element,
    ) => boolean,
  );
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: SUBJECT })).toBeVisible();
  await expect(page).toHaveTitle(`${SUBJECT} · Mailgate 365`);

  // Into the sandboxed frame: its body takes focus, and the arrow keys scroll it. The body is awaited first: a frame
  // tabbed into while its document still loads keeps the focus on the frame, not on the body that arrives later.
  const frame = page.frameLocator('iframe[title="Message body"]');
  await expect(frame.locator('body')).not.toBeEmpty();
  await tabTo(page, (e) => e.tagName === 'IFRAME');
  await expect(frame.locator('body')).toBeFocused();
  const body = page.frames().find((f) => f.url().includes('/body'));
  expect(body).toBeDefined();
  expect(await body!.evaluate(() => document.documentElement.lang)).toBe('und');
  expect(await body!.evaluate(() => document.title)).toBe(SUBJECT);
  for (let i = 0; i < 3; i++) await page.keyboard.press('PageDown');
  await expect.poll(() => body!.evaluate(() => window.scrollY)).toBeGreaterThan(200);
});
