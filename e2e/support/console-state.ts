/**
 * The state a spec starts from, made by the spec itself so it runs alone, in any order and in any worker: a console
 * emptied of everything earlier specs left, its administrator, a signed-in browser, the Microsoft 365 app and a
 * connected mailbox. The administrator is made over HTTP by the product's own set-up action and the session by the
 * product's session format (sessions.ts); the app and mailboxes through the console's forms, the way an admin does.
 * The UI flows themselves (set-up, sign-in) are covered by the specs that test them (00, 50, 55).
 */
import type postgres from 'postgres';
import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { ADMIN, setupTokenFromLog } from './admin';
import { withE2eDatabase } from './db-snapshot';
import { callServerAction, serverActionIds } from './server-action';
import { forgedSessionCookie, SESSION_COOKIE } from './sessions';
import { E2E_APP, world } from './world';

/** Waits until no sync runs (one a spec started may go on after its response, in next/server's after()). */
async function syncsEnded(sql: postgres.Sql): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await sql<{ busy: number }[]>`select
            ((select count(*) from sync_runs where outcome = 'running') + (select count(*) from mail_accounts where lease_expires_at > now()))::int as busy`
        )[0]?.busy,
      { timeout: 120_000, message: 'the syncs under way end' },
    )
    .toBe(0);
}

/**
 * Syncs every connected mailbox now, as the scheduler's cron route does, and waits until every sync has ended: the
 * mail already in the stand-in's mailboxes is then stored, and only what a spec adds afterwards is new.
 */
export async function syncAll(request: APIRequestContext): Promise<void> {
  const response = await request.get('/api/cron/sync', {
    headers: { Authorization: `Bearer ${world().cronSecret}` },
    timeout: 240_000,
  });
  expect(response.status()).toBe(200);
  await withE2eDatabase(syncsEnded);
}

/**
 * Empties every table of this worker's console (the migrations live in their own schema and stay): afterwards it
 * is a new console, as after its first start. Waits for syncs an earlier spec started to end first, so none writes
 * into the emptied tables.
 */
export async function resetConsole(): Promise<void> {
  await withE2eDatabase(async (sql) => {
    await syncsEnded(sql);
    const tables = await sql<{ name: string }[]>`select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`;
    if (tables.length > 0) await sql`truncate table ${sql(tables.map((t) => t.name))} restart identity cascade`;
  });
}

/** Creates the first administrator when there is none, through /setup's action with the token the server printed. */
export async function ensureAdmin(request: APIRequestContext, admin = ADMIN): Promise<void> {
  const exists = await withE2eDatabase(
    async (sql) => (await sql`select 1 from admins where email = ${admin.email}`).length > 0,
  );
  if (exists) return;
  const id = serverActionIds().get('createFirstAdmin');
  if (!id) throw new Error('the build has no createFirstAdmin action');
  const answer = await callServerAction(request, '/setup', id, [
    ['setupToken', setupTokenFromLog()],
    ['name', admin.name],
    ['email', admin.email],
    ['password', admin.password],
    ['confirmPassword', admin.password],
  ]);
  expect(answer.redirect, `set-up created the administrator: ${answer.text.slice(0, 300)}`).toBeTruthy();
}

/** Gives the page's browser a live session of the admin (creating the admin when needed), without the sign-in form. */
export async function ensureSignedIn(page: Page, admin = ADMIN): Promise<void> {
  await ensureAdmin(page.request, admin);
  const cookie = await withE2eDatabase((sql) => forgedSessionCookie(sql, 3600, admin.email));
  const value = cookie.slice(`${SESSION_COOKIE}=`.length);
  await page
    .context()
    .addCookies([{ name: SESSION_COOKIE, value, url: world().baseUrl, httpOnly: true, sameSite: 'Lax' }]);
}

/** Saves the stand-in's app through the console's form, unless an app is saved already. */
export async function ensureApp(page: Page): Promise<void> {
  const saved = await withE2eDatabase(async (sql) => (await sql`select 1 from microsoft365_apps`).length > 0);
  if (saved) return;
  await page.goto('/channels/microsoft365');
  await page.getByLabel('Application (client) ID').fill(E2E_APP.clientId);
  await page.getByLabel('Client secret').fill(E2E_APP.clientSecret);
  await page.getByLabel('Directory (tenant) ID or domain').fill(E2E_APP.tenant);
  await page.getByRole('button', { name: 'Connect Microsoft 365 App' }).click();
  await expect(page.getByText(/^Saved\./)).toBeVisible();
}

/** The id of a connected (not removed) mailbox with that address, if there is one. */
export function connectedAccountId(address: string): Promise<string | undefined> {
  return withE2eDatabase(
    async (sql) =>
      (
        await sql<{ id: string }[]>`select id from mail_accounts
          where email_address = ${address} and kind = 'user' and removed_at is null order by created_at limit 1`
      )[0]?.id,
  );
}

/**
 * Connects a stand-in user's mailbox through Add account and the stand-in's sign-in page, unless it is connected
 * already; returns its account id. The page must be signed in.
 */
export async function connectMailbox(
  page: Page,
  user: { displayName: string; signInName?: string; address: string },
): Promise<string> {
  const existing = await connectedAccountId(user.address);
  if (existing) return existing;
  await ensureApp(page);
  await page.goto('/channels/microsoft365');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page
    .getByRole('button', { name: `Sign in as ${user.displayName} (${user.signInName ?? user.address})` })
    .click();
  await expect(
    page.getByText(/(Connected|Re-authenticated)\. The mailbox signed in and its IMAP access/),
  ).toBeVisible();
  const id = await connectedAccountId(user.address);
  if (!id) throw new Error(`connecting ${user.address} left no mailbox`);
  return id;
}

/** Runs `run` with a page of its own, signed in as the admin: for the state a spec's beforeAll prepares. */
export async function withAdminPage<T>(browser: Browser, run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ baseURL: world().baseUrl });
  try {
    const page = await context.newPage();
    await ensureSignedIn(page);
    return await run(page);
  } finally {
    await context.close();
  }
}
