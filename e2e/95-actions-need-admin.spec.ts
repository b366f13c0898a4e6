import { consoleActionCalls, consoleActions, redirectOf, replayAction } from './support/action-replay';
import { worldSegmentValues } from './support/app-routes';
import { ensureAdmin, resetConsole } from './support/console-state';
import { changedTables, openWorldDb, settledSnapshot, snapshotDb } from './support/db-snapshot';
import { forgedSessionCookie } from './support/sessions';
import { expect, test } from './support/test';

test.describe.configure({ mode: 'serial' });
// A new console for this spec alone (support/console-state.ts), so it runs on its own and in any order. Refusals
// send to sign-in, which needs an administrator (else every page goes to set-up); the expired session is hers.
test.beforeAll(resetConsole);
test.beforeAll(async ({ request }) => ensureAdmin(request));

/** Calls every console action the build has, with `cookie` (none: anonymous), and checks each is refused. */
async function expectEveryActionRefused(
  request: import('@playwright/test').APIRequestContext,
  baseURL: string,
  cookie: (sql: ReturnType<typeof openWorldDb>) => Promise<string | undefined>,
) {
  const sql = openWorldDb();
  try {
    // Discovered from the build's manifest: a new action is called here the day it is added.
    const actions = consoleActions();
    const calls = await consoleActionCalls(baseURL, await worldSegmentValues(sql));
    expect(calls.size).toBe(actions.size);
    expect(calls.size, 'the build has console actions').toBeGreaterThan(10);
    const value = await cookie(sql);
    const before = await settledSnapshot(sql);
    for (const [id, call] of calls) {
      const response = await replayAction(request, call, value ? { cookie: value } : {});
      expect(redirectOf(response), `${actions.get(id)?.exportedName} must send the caller to sign-in`).toMatch(
        /^(https?:\/\/[^/]+)?\/sign-in/,
      );
    }
    expect(changedTables(before, await snapshotDb(sql))).toEqual([]);
  } finally {
    await sql.end();
  }
}

test('every console server action refuses a caller without a session and changes nothing', async ({
  request,
  baseURL,
}) => {
  await expectEveryActionRefused(request, baseURL ?? '', async () => undefined);
});

test('every console server action refuses an expired session and changes nothing', async ({ request, baseURL }) => {
  // Sealed with the server's own secret for the real admin, but expired an hour ago.
  await expectEveryActionRefused(request, baseURL ?? '', (sql) => forgedSessionCookie(sql, -3600));
});
