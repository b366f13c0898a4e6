import { expect, test } from './support/test';
import { ADMIN, fillSetup, signIn, signOut } from './support/admin';
import { expectAccessible } from './support/page-checks';
import { resetConsole } from './support/console-state';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order.
test.beforeAll(resetConsole);

test('a new console sends every page to set-up, creates the first admin once, then signs in and out', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000); // it also runs axe over the set-up page
  for (const path of ['/', '/messages', '/sign-in', '/channels/microsoft365']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/setup$/);
  }
  await expect(page.getByRole('heading', { name: 'Welcome to Mailgate 365' })).toBeVisible();
  // Production asks for the set-up token first, so that field has the focus.
  await expect(page.getByLabel('Set-up token')).toBeFocused();
  await expectAccessible(page, '/setup');
  await expect(page.getByText('more administrators can be added')).toHaveCount(0);

  // A second tab opened on the set-up form before the first admin exists.
  const late = await browser.newPage();
  await late.goto('/setup');

  // Bad input keeps what was typed (but not the password) and says what is wrong.
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Confirm password').fill('short');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByText('Use at least 12 characters.')).toBeVisible();
  // Focus goes to the first field with an error, and the button stayed usable: nothing dropped to the page body.
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();
  await expect(page.getByText('At least 12 characters.', { exact: true })).toHaveCount(0);
  await expect(page.getByLabel('E-mail')).toHaveValue(ADMIN.email);
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');

  // Production asks for the token the server printed at start: a wrong one creates nobody.
  await fillSetup(page, ADMIN, 'AAAAA-BBBBB-CCCCC-DDDDD');
  await expect(page.getByText('That is not this server’s set-up token.')).toBeVisible();
  await expect(page).toHaveURL(/\/setup$/);

  await fillSetup(page);
  await expect(page).toHaveURL(/\/channels\/microsoft365$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Microsoft 365' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Console' });
  for (const item of ['Microsoft 365', 'Messages', 'Sync runs', 'Audit log', 'Settings']) {
    await expect(nav.getByRole('link', { name: item })).toBeVisible();
  }

  // The second POST to set-up is refused for good, and the page itself now sends people to sign-in.
  await fillSetup(late, { ...ADMIN, email: 'mallory@example.com' });
  await expect(late.getByText('Set-up is closed: an administrator already exists.')).toBeVisible();
  await late.goto('/setup');
  await expect(late).toHaveURL(/\/sign-in$/);
  await late.close();

  await nav.getByRole('link', { name: 'Audit log' }).click();
  await expect(
    page.getByRole('cell', { name: `${ADMIN.name} set up the console as its first administrator.` }),
  ).toBeVisible();

  await signOut(page);
  await page.goto('/audit');
  // Signed out: sign-in, which will return to the page asked for.
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faudit$/);
});

test('sign-in refuses a wrong password with a clear message and lets the admin in with the right one', async ({
  page,
}) => {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('That e-mail and password do not match an administrator.')).toBeVisible();
  await expect(page.getByLabel('E-mail')).toHaveValue(ADMIN.email);

  await signIn(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByText('PostgreSQL (DATABASE_URL)')).toBeVisible();
  await expect(page.getByText('Up to date')).toBeVisible();
  const html = await page.content();
  expect(html).not.toContain(process.env.AUTH_SECRET ?? 'never-empty-placeholder');

  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name.endsWith('authjs.session-token'));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
});

test('health reports the database and current migrations without a session', async ({ request }) => {
  const response = await request.get('/api/health');
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ ok: true, db: 'postgres', migrations: 'current' });
  expect(response.headers()['x-frame-options']).toBe('DENY');
  expect(response.headers()['x-content-type-options']).toBe('nosniff');
});
