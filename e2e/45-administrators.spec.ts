import type { Browser, Page } from '@playwright/test';
import { generate } from 'otplib';
import { ADMIN, signIn } from './support/admin';
import { ensureSignedIn, resetConsole } from './support/console-state';
import { expectAccessible, expectFitsWidth } from './support/page-checks';
import { sessionCookieOf } from './support/sessions';
import { expect, test } from './support/test';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

const BEA = { name: 'Bea Second', email: 'bea@example.com', password: 'bea has a long password' };

async function inviteByKeyboard(page: Page, email: string): Promise<string> {
  await page.getByLabel('Their e-mail').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  await expect(page.getByText(`Invitation for ${email} created`)).toBeVisible();
  const link = page.locator('code').filter({ hasText: '/invite/' });
  await expect(link).toBeVisible();
  return (await link.textContent()) ?? '';
}

async function newBrowser(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test('an admin invites another by a single-use link, sees their sessions, and removes them', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await ensureSignedIn(page);
  await page.goto('/administrators');
  await expect(page.getByRole('heading', { level: 1, name: 'Administrators' })).toBeVisible();
  await expect(page.getByText('this browser')).toBeVisible();
  await expectAccessible(page, '/administrators');
  await page.setViewportSize({ width: 360, height: 740 });
  await expectFitsWidth(page, 360, '/administrators at 360 px');
  await page.setViewportSize({ width: 1280, height: 720 });

  const link = await inviteByKeyboard(page, BEA.email);
  await expect(page.getByText(`Invitation for ${BEA.email} created`)).toBeVisible();
  const withdrawn = await inviteByKeyboard(page, 'gone@example.com');
  await page.reload();
  const pending = page.getByRole('listitem').filter({ hasText: 'gone@example.com' });
  await pending.getByRole('button', { name: 'Withdraw' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'gone@example.com' })).toHaveCount(0);

  const bea = await newBrowser(browser);
  try {
    await bea.page.goto(withdrawn);
    await expect(bea.page.getByRole('heading', { name: 'This invitation cannot be used' })).toBeVisible();
    await bea.page.goto(link);
    await expect(bea.page.getByText(`You were invited as ${BEA.email}`)).toBeVisible();
    await expectAccessible(bea.page, '/invite/[token]');
    await bea.page.getByLabel('Your name').fill(BEA.name);
    await bea.page.getByLabel('Password', { exact: true }).fill(BEA.password);
    await bea.page.getByLabel('Confirm password').fill(BEA.password);
    await bea.page.getByRole('button', { name: 'Join as administrator' }).click();
    await expect(bea.page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    // Single use: the same link again opens nothing.
    await bea.page.goto(link);
    await expect(bea.page.getByRole('heading', { name: 'This invitation cannot be used' })).toBeVisible();

    await page.reload();
    // Removing yourself takes a second, explicit confirmation.
    const mine = page.getByRole('row').filter({ hasText: '(you)' });
    await mine.getByText('Remove…').click();
    await mine.getByLabel(/and end their sessions$/).check();
    await mine.getByRole('button', { name: 'Remove administrator' }).click();
    await expect(mine.getByText('This is your own account: tick the second box too')).toBeVisible();

    const row = page.getByRole('row').filter({ hasText: BEA.email });
    await expect(row).toContainText('Last seen');
    await row.getByText('Remove…').click();
    await row.getByRole('button', { name: 'Remove administrator' }).click();
    await expect(row.getByText('Tick the box to confirm the removal.')).toBeVisible();
    await row.getByLabel(`Remove ${BEA.name} and end their sessions`).check();
    await row.getByRole('button', { name: 'Remove administrator' }).click();
    await expect(page.getByRole('row').filter({ hasText: BEA.email })).toHaveCount(0);

    // Bea's browser is signed out by the removal.
    await bea.page.goto('/channels/microsoft365');
    await expect(bea.page).toHaveURL(/\/sign-in/);
  } finally {
    await bea.context.close();
  }

  await page.goto('/audit');
  await expect(page.getByText(`${ADMIN.name} invited ${BEA.email} to become an administrator.`)).toBeVisible();
  await expect(page.getByText(`${BEA.email} accepted an invitation and became an administrator.`)).toBeVisible();
  await expect(page.getByText(`${ADMIN.name} removed the administrator ${BEA.email}.`)).toBeVisible();
  await expect(page.getByText(`${ADMIN.name} withdrew the invitation for gone@example.com.`)).toBeVisible();
});

test('the only administrator cannot be removed', async ({ page }) => {
  await ensureSignedIn(page);
  await page.goto('/administrators');
  await expect(page.getByText('The only administrator cannot be removed.')).toBeVisible();
});

test('changing the password needs the current one and signs out the other sessions', async ({ page, browser }) => {
  await ensureSignedIn(page);
  const other = await newBrowser(browser);
  try {
    await signIn(other.page);
    await page.goto('/administrators');
    const change = async (current: string, next: string) => {
      await page.getByLabel('Current password').fill(current);
      await page.getByLabel('New password', { exact: true }).fill(next);
      await page.getByLabel('Confirm new password').fill(next);
      await page.getByRole('button', { name: 'Change password' }).click();
    };
    await change('not my password', 'a different long password');
    await expect(page.getByText('That is not your current password.')).toBeVisible();
    await change(ADMIN.password, 'a different long password');
    await expect(page.getByText(/^Password changed\. Your \d+ other sessions? (was|were) signed out\.$/)).toBeVisible();
    await other.page.goto('/messages');
    await expect(other.page).toHaveURL(/\/sign-in/);
    // This browser stays signed in; put the password back for the specs after this one.
    await page.reload();
    await change('a different long password', ADMIN.password);
    await expect(page.getByText(/^Password changed/)).toBeVisible();
  } finally {
    await other.context.close();
  }
});

test('a copied session cookie stops working after sign-out, and "sign out everywhere" ends every session', async ({
  page,
  browser,
  request,
}) => {
  await ensureSignedIn(page);
  const copied = await sessionCookieOf(page);
  const before = await request.get('/channels/microsoft365', { headers: { cookie: copied }, maxRedirects: 0 });
  expect(before.status()).toBe(200);

  const other = await newBrowser(browser);
  try {
    await signIn(other.page);
    await page.goto('/administrators');
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    const after = await request.get('/channels/microsoft365', { headers: { cookie: copied }, maxRedirects: 0 });
    expect([302, 303, 307]).toContain(after.status());
    expect(after.headers().location).toMatch(/\/sign-in/);
    await other.page.goto('/messages');
    await expect(other.page).toHaveURL(/\/sign-in/);
  } finally {
    await other.context.close();
  }
});

test('two-factor sign-in: set up by scanning, then a recovery code signs in; turned off with the password', async ({
  page,
}) => {
  await ensureSignedIn(page);
  await page.goto('/administrators#two-factor');
  await expect(page.getByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeVisible();
  const secret = (await page.locator('figcaption code').textContent()) ?? '';
  await page.getByLabel('Code from the app').fill('000000');
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.getByText('That code does not match')).toBeVisible();
  await page.getByLabel('Code from the app').fill(await generate({ secret }));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent()) ?? '';
  await expectAccessible(page, '/administrators with recovery codes');

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Authentication code')).toBeFocused();
  await expectAccessible(page, '/sign-in, second step');
  await page.getByLabel('Authentication code').fill('999999');
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(page.getByText('That code is not right, or was used already.')).toBeVisible();
  await page.getByLabel('Authentication code').fill(recovery);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();

  // Off again, so the specs after this one sign in with the password alone.
  await page.goto('/administrators#two-factor');
  await expect(page.getByText('9 recovery codes left.')).toBeVisible();
  await page.getByText('Turn off two-factor sign-in…').click();
  await page.getByLabel('Your current password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Turn off', exact: true }).click();
  // The section offers the set-up again.
  await expect(page.getByRole('button', { name: 'Turn on two-factor sign-in' })).toBeVisible();
  await page.goto('/audit');
  await expect(page.getByText(`${ADMIN.name} turned on two-factor sign-in for their account.`)).toBeVisible();
  await expect(page.getByText(`${ADMIN.name} turned off two-factor sign-in for their account.`)).toBeVisible();
});
