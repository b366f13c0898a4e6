/**
 * Part 4: many connected accounts, several sync processes at once against one database (the cron fan-out on one
 * machine). Exactness: every account has each of its messages exactly once, with its source, and the processes'
 * reports add up to the total (nothing fetched twice).
 */
import postgres from 'postgres';
import type { Harness } from '@/test/harness/fixture';
import { productEnv } from './environment';
import { runSyncChild } from './processes';
import { createProductDatabase } from './product-database';

export interface ManyAccountsResult {
  accounts: number;
  messagesPerAccount: number;
  processes: number;
  connectMs: number;
  wallMs: number;
  perProcess: { accounts: number; fetched: number; ms: number; peakRssMb?: number }[];
  exact: {
    expected: number;
    rows: number;
    sources: number;
    reportedFetched: number;
    accountsWrong: number;
    ok: boolean;
  };
}

export async function benchManyAccounts(
  harness: Harness,
  accounts: number,
  perAccount: number,
  processes: number,
  log: (line: string) => void,
): Promise<ManyAccountsResult> {
  const db = await createProductDatabase(harness);
  try {
    const addresses = Array.from({ length: accounts }, (_, i) => `many${String(i).padStart(4, '0')}@contoso.test`);
    const t0 = Date.now();
    const ids = await db.connect(addresses);
    const connectMs = Date.now() - t0;
    log(`connected ${ids.length} accounts through the connect flow in ${connectMs} ms`);
    await Promise.all(
      addresses.map((address, i) =>
        harness.seed.messages(address, { count: perAccount, seed: 100 + i, profile: 'light' }),
      ),
    );

    const started = process.hrtime.bigint();
    const reports = await Promise.all(Array.from({ length: processes }, () => runSyncChild(productEnv(db.url))));
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const reportedFetched = reports.reduce((sum, r) => sum + r.accounts.reduce((s, a) => s + a.fetched, 0), 0);

    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ account_id: string; rows: number; uids: number; sources: number }[]>`
        select a.id as account_id, count(m.id)::int as rows, count(distinct m.uid)::int as uids, count(s.message_id)::int as sources
        from mail_accounts a left join messages m on m.account_id = a.id left join message_sources s on s.message_id = m.id
        group by a.id`;
      const wrong = rows.filter(
        (r) => r.rows !== perAccount || r.uids !== perAccount || r.sources !== perAccount,
      ).length;
      const total = rows.reduce((sum, r) => sum + r.rows, 0);
      const sources = rows.reduce((sum, r) => sum + r.sources, 0);
      const expected = accounts * perAccount;
      return {
        accounts,
        messagesPerAccount: perAccount,
        processes,
        connectMs,
        wallMs,
        perProcess: reports.map((r) => ({
          accounts: r.accounts.length,
          fetched: r.accounts.reduce((s, a) => s + a.fetched, 0),
          ms: r.ms,
          peakRssMb: r.peakRssMb,
        })),
        exact: {
          expected,
          rows: total,
          sources,
          reportedFetched,
          accountsWrong: wrong + (accounts - rows.length),
          ok:
            wrong === 0 &&
            rows.length === accounts &&
            total === expected &&
            sources === expected &&
            reportedFetched === expected,
        },
      };
    } finally {
      await sql.end();
    }
  } finally {
    await db.drop();
  }
}
