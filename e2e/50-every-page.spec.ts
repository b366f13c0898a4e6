import postgres from 'postgres';
import { signOut } from './support/admin';
import { connectMailbox, ensureSignedIn, resetConsole, syncAll, withAdminPage } from './support/console-state';
import { expectAccessible, expectFitsWidth, watchReactLogs } from './support/page-checks';
import { expect, test } from './support/test';
import { Maildirs } from '../test/harness/maildir';
import { ALICE, world } from './support/world';

// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

function rawMessage(subject: string, contentType: string, body: string): Buffer {
  return Buffer.from(
    [
      'From: Reports <reports@fabrikam.test>',
      `To: ${ALICE.address}`,
      `Subject: ${subject}`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      `Content-Type: ${contentType}; charset=utf-8`,
      '',
      body,
    ].join('\r\n'),
  );
}

// The records every page shows: a connected mailbox, an HTML and a plain-text message, and a sign-in that failed.
test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  await withAdminPage(browser, async (page) => {
    await connectMailbox(page, ALICE);
    await new Maildirs(world().mailRoot).write(ALICE.address, 'INBOX', [
      { raw: rawMessage('Every page: HTML', 'text/html', '<p>An <b>HTML</b> message.</p>') },
      { raw: rawMessage('Every page: plain', 'text/plain', 'A plain-text message.') },
    ]);
    await syncAll(page.request);
    await page.goto('/channels/microsoft365');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('heading', { name: 'The mailbox was not connected' })).toBeVisible();
  });
});

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 720 };

/** One of each page the console has, with the records made above (mailbox, messages, failed sign-in). */
async function consolePages(): Promise<string[]> {
  const sql = postgres(world().databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [account] = await sql<{ id: string }[]>`select id from mail_accounts
      where email_address = 'alice@contoso.test' and kind = 'user' and removed_at is null`;
    const [message] = await sql<{ id: string }[]>`select id from messages
      where html is not null and subject not like 'Hostile%' order by id limit 1`;
    const [flow] = await sql<{ id: string }[]>`select id from oauth_flows where outcome->>'ok' = 'false' limit 1`;
    const [plain] = await sql<{ id: string }[]>`select id from messages where html is null order by id limit 1`;
    return [
      '/channels/microsoft365',
      ...(account ? [`/channels/microsoft365/accounts/${account.id}`] : []),
      '/messages',
      '/messages?q=zzzz-nothing-matches',
      ...(message ? [`/messages/${message.id}`] : []),
      ...(plain ? [`/messages/${plain.id}`] : []),
      '/sync-runs',
      '/audit',
      '/administrators',
      '/settings',
      ...(flow ? [`/channels/microsoft365/connect/${flow.id}`] : []),
      '/channels/microsoft365/connect/rejected?reason=unknown_state',
      '/no-such-page',
    ];
  } finally {
    await sql.end();
  }
}

async function settle(page: import('@playwright/test').Page) {
  await page.waitForLoadState('networkidle');
  // Streamed sections (the folder list needs an IMAP round trip) are part of the page.
  await expect(page.getByText(/^Loading/)).toHaveCount(0, { timeout: 20_000 });
}

test('every page: no WCAG 2.1 A/AA violation (axe), no React or hydration warning, and no sideways scroll at 360 px', async ({
  page,
}) => {
  // 13 pages, two widths each, axe over each: on a loaded 2-core machine that takes minutes.
  test.setTimeout(480_000);
  const logs = watchReactLogs(page);
  await ensureSignedIn(page);
  const pages = await consolePages();
  // Every page, each record-backed one included (the beforeAll made their records).
  expect(pages).toHaveLength(13);
  for (const path of pages) {
    await test.step(path, async () => {
      await page.setViewportSize(DESKTOP);
      await page.goto(path);
      await settle(page);
      await expect(page.locator('main#main h1')).toHaveCount(1);
      await expectAccessible(page, path);
      await page.setViewportSize(PHONE);
      await expectFitsWidth(page, PHONE.width, path);
      // The sidebar folds into a menu button, and opens with it.
      const menu = page.getByRole('button', { name: 'Menu' });
      await expect(menu).toBeVisible();
      await expect(page.getByRole('navigation', { name: 'Console' })).toBeHidden();
      await menu.click();
      await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
      await expectAccessible(page, `${path} at 360 px, menu open`);
    });
  }
  await page.setViewportSize(DESKTOP);
  await signOut(page);
  for (const path of ['/sign-in', '/sign-in?next=%2Fmessages']) {
    await page.goto(path);
    await settle(page);
    await expectAccessible(page, path);
    await page.setViewportSize(PHONE);
    await expectFitsWidth(page, PHONE.width, path);
    await page.setViewportSize(DESKTOP);
  }
  expect(logs.problems()).toEqual([]);
});

test('signing in returns to the page that was asked for, and never to another site', async ({ page }) => {
  await page.context().clearCookies();
  await page.goto('/audit?before=999999');
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faudit%3Fbefore%3D999999$/);
  await page.getByLabel('E-mail').fill('ada@example.com');
  await page.getByLabel('Password').fill('a long and strong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/audit\?before=999999$/);

  await page.context().clearCookies();
  await page.goto('/sign-in?next=//evil.example/steal');
  await page.getByLabel('E-mail').fill('ada@example.com');
  await page.getByLabel('Password').fill('a long and strong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/channels\/microsoft365$/);
});
