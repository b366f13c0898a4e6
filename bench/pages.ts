/**
 * Part 6: console pages on a big database — 1,000 accounts and 1,000,000 message rows made in SQL — served by
 * `next start` (built first if .next is missing) with a minted Auth.js session cookie for a real admin. The time
 * is the loopback GET's time to the last byte: server-side rendering plus a negligible local transfer.
 */
import { encode } from 'next-auth/jwt';
import postgres from 'postgres';
import { createTestDatabase } from '@/test/support/database';
import { productEnv } from './environment';
import { startNextServer, type NextServer } from './next-server';
import { ADMIN } from './product-database';

export interface PageTiming {
  path: string;
  status: number;
  bytes: number;
  runsMs: number[];
  medianMs: number;
}

export interface PagesResult {
  accounts: number;
  messages: number;
  seedMs: number;
  built: boolean;
  pages: PageTiming[];
}

const COOKIE = 'authjs.session-token';

export async function benchPages(accounts: number, rows: number, log: (line: string) => void): Promise<PagesResult> {
  const test = await createTestDatabase('mg_bench_pages');
  const { openPostgresDatabase } = await import('@/lib/db/postgres');
  const database = await openPostgresDatabase(test.url); // migrates
  let server: NextServer | undefined;
  try {
    const { setUpFirstAdmin } = await import('@/lib/auth/setup');
    const admin = await setUpFirstAdmin(database.db, ADMIN);
    if (!admin) throw new Error('bench: no admin');
    const t0 = Date.now();
    const deep = await seedRows(test.url, accounts, rows);
    const seedMs = Date.now() - t0;
    log(`pages: ${accounts} accounts and ${rows} messages inserted in ${seedMs} ms`);

    server = await startNextServer(() => productEnv(test.url), log, 'pages');
    const secret = process.env.AUTH_SECRET as string;
    // The cookie must name a live server-side session (admin_sessions), as a sign-in makes; without one the console
    // redirects to /sign-in, and the bench would time the redirect.
    const { startSession } = await import('@/lib/auth/sessions');
    const session = await startSession(database.db, {
      adminId: admin.id,
      headers: new Headers({ 'user-agent': 'npm run bench' }),
      client: '127.0.0.1',
    });
    const token = await encode({
      token: {
        sub: admin.id,
        email: admin.email,
        name: admin.name,
        sid: session.id,
        ends: Math.floor(session.expiresAt.getTime() / 1000),
      },
      secret,
      salt: COOKIE,
      maxAge: 8 * 60 * 60,
    });
    const base = server.url;
    const pages: PageTiming[] = [];
    for (const path of [
      '/channels/microsoft365',
      '/messages',
      `/messages?before=${deep}`,
      '/messages?q=invoice',
      '/messages?q=%22quarterly+budget%22+zebra',
      `/messages?account=${await someAccount(test.url)}`,
    ]) {
      pages.push(await timePage(base + path, path, token));
      log(`pages: ${path} ${pages.at(-1)?.status} ${pages.at(-1)?.medianMs.toFixed(0)} ms`);
    }
    return { accounts, messages: rows, seedMs, built: server.built, pages };
  } finally {
    await server?.stop();
    await database.close();
    await test.drop();
  }
}

async function timePage(url: string, path: string, token: string): Promise<PageTiming> {
  const runsMs: number[] = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < 4; i += 1) {
    const t0 = process.hrtime.bigint();
    const response = await fetch(url, { headers: { cookie: `${COOKIE}=${token}` }, redirect: 'manual' });
    const body = await response.arrayBuffer();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    status = response.status;
    bytes = body.byteLength;
    if (status !== 200) throw new Error(`bench: ${path} answered HTTP ${status}, not the page`);
    if (i > 0) runsMs.push(ms); // the first request warms the route's bundle and the connection pool
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { path, status, bytes, runsMs, medianMs: sorted[Math.floor(sorted.length / 2)] ?? NaN };
}

/** Accounts and messages in SQL; returns a keyset cursor halfway down the newest-first list. */
async function seedRows(url: string, accounts: number, rows: number): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`
      insert into mail_accounts (email_address, home_account_id, tenant_id, sign_in_address, imap_user)
      select 'page' || i || '@contoso.test', gen_random_uuid() || '.' || gen_random_uuid(), gen_random_uuid(),
             'page' || i || '@contoso.test', 'page' || i || '@contoso.test'
      from generate_series(1, ${accounts}) i`;
    await sql.unsafe(`
      with a as (select id, row_number() over (order by email_address) - 1 as n from mail_accounts),
           w(words) as (select array['invoice','meeting','quarterly','report','shipment','ticket','customer','update','agenda','review','budget','contract','delivery','schedule','support','request','approval','draft','summary','deadline'])
      insert into messages (account_id, folder, uidvalidity, uid, message_id, subject, from_address, internal_date, date, size, snippet, text, has_attachments)
      select a.id, 'INBOX', 1, g / ${accounts} + 1, '<page' || g || '@bench.test>',
             w.words[1 + g % 20] || ' ' || w.words[1 + (g / 20) % 20] || ' #' || g,
             'Sender ' || (g % 97) || ' <sender' || (g % 97) || '@fabrikam.test>',
             timestamptz '2020-01-01' + g * interval '97 seconds', timestamptz '2020-01-01' + g * interval '97 seconds',
             2000 + g % 50000,
             'Snippet of message ' || g,
             repeat(w.words[1 + g % 20] || ' ' || w.words[1 + (g / 7) % 20] || ' ' || w.words[1 + (g / 13) % 20] || ' ', 20) || md5(g::text),
             g % 4 = 0
      from generate_series(0, ${rows - 1}) g
      cross join w
      join a on a.n = g % ${accounts}`);
    await sql`analyze messages`;
    const [row] = await sql<{ micros: string; id: string }[]>`
      select (extract(epoch from internal_date) * 1000000)::bigint::text as micros, id::text as id
      from messages order by internal_date desc, id desc offset ${Math.floor(rows / 2)} limit 1`;
    return `${row?.micros}-${row?.id}`;
  } finally {
    await sql.end();
  }
}

async function someAccount(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ id: string }[]>`select id from mail_accounts order by email_address limit 1`;
    return row?.id ?? '';
  } finally {
    await sql.end();
  }
}
