import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';
import { SERVER_LOG } from './run-files';

export const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'a long and strong password' };

/** The production server prints its one-time set-up token at start; the operator copies it from the log. */
export function setupTokenFromLog(): string {
  const token = /Set-up token for the first administrator: ([0-9A-Z-]+)/.exec(readFileSync(SERVER_LOG, 'utf8'))?.[1];
  if (!token) throw new Error(`No set-up token in ${SERVER_LOG}`);
  return token;
}

export async function fillSetup(page: Page, admin = ADMIN, token = setupTokenFromLog()) {
  const tokenField = page.getByLabel('Set-up token');
  if (await tokenField.count()) await tokenField.fill(token);
  await page.getByLabel('Your name').fill(admin.name);
  await page.getByLabel('E-mail').fill(admin.email);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Confirm password').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
}

export async function signIn(page: Page, admin = ADMIN) {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}
