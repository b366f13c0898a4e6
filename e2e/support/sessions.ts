import { encode } from 'next-auth/jwt';
import type { Page } from '@playwright/test';
import type postgres from 'postgres';
import { ADMIN } from './admin';
import { world } from './world';

/**
 * Auth.js names its session cookie after the URL it sees: `__Secure-authjs.session-token` (and `Secure`) when that
 * is https (AUTH_URL when set, else the request's X-Forwarded-Proto, which `next start` sets from the socket), the
 * plain name over http. The cookie name is also the JWT's key-derivation salt.
 */
export const SESSION_COOKIE = 'authjs.session-token';
export const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;

/**
 * A `Cookie` header value carrying the session the server would have issued for that admin, sealed with the
 * server's own AUTH_SECRET and naming a live server-side session (a row in admin_sessions, as sign-in makes);
 * `expiresInSeconds` below zero makes an expired cookie. Forging a valid one too proves an expired one fails for
 * its age alone.
 */
export async function forgedSessionCookie(
  sql: postgres.Sql,
  expiresInSeconds: number,
  email = ADMIN.email,
): Promise<string> {
  const [admin] = await sql<
    { id: string; email: string; name: string | null }[]
  >`select id, email, name from admins where email = ${email}`;
  if (!admin) throw new Error(`no admin ${email} in the e2e database`);
  const [session] = await sql<{ id: string; ends: number }[]>`insert into admin_sessions
      (admin_id, created_at, last_seen_at, expires_at, user_agent)
    values (${admin.id}, now(), now(), now() + interval '1 day', 'e2e forged session')
    returning id, extract(epoch from expires_at)::int as ends`;
  const token = await encode({
    token: { sub: admin.id, email: admin.email, name: admin.name, sid: session?.id, ends: session?.ends },
    secret: world().authSecret,
    salt: SESSION_COOKIE,
    maxAge: expiresInSeconds,
  });
  return `${SESSION_COOKIE}=${token}`;
}

/** The `Cookie` header value of the session a signed-in browser page holds. */
export async function sessionCookieOf(page: Page): Promise<string> {
  const cookie = (await page.context().cookies()).find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('the signed-in page has no session cookie');
  return `${cookie.name}=${cookie.value}`;
}
