import { expect, test } from '@playwright/test';
import { consoleActions, consoleReplays, redirectOf, replayAction } from './support/action-replay';
import { changedTables, openWorldDb, settledSnapshot, snapshotDb } from './support/db-snapshot';
import { forgedSessionCookie } from './support/sessions';

test.describe.configure({ mode: 'serial' });

/** Replays every console action the earlier specs sent, with `cookie` (none: anonymous), and checks it is refused. */
async function expectEveryActionRefused(
  request: import('@playwright/test').APIRequestContext,
  cookie: (sql: ReturnType<typeof openWorldDb>) => Promise<string | undefined>,
) {
  const actions = consoleActions();
  const replays = consoleReplays();
  // Discovered from the build: a new action that no spec exercises fails here until one does.
  const missing = [...actions].filter(([id]) => !replays.has(id)).map(([, e]) => `${e.filename}#${e.exportedName}`);
  expect(missing).toEqual([]);

  const sql = openWorldDb();
  try {
    const value = await cookie(sql);
    const before = await settledSnapshot(sql);
    for (const [id, call] of replays) {
      const response = await replayAction(request, call, value ? { cookie: value } : {});
      expect(redirectOf(response), `${actions.get(id)?.exportedName} must send the caller to sign-in`).toMatch(
        /^(https?:\/\/[^/]+)?\/(sign-in|setup)/,
      );
    }
    expect(changedTables(before, await snapshotDb(sql))).toEqual([]);
  } finally {
    await sql.end();
  }
}

test('every console server action refuses a caller without a session and changes nothing', async ({ request }) => {
  await expectEveryActionRefused(request, async () => undefined);
});

test('every console server action refuses an expired session and changes nothing', async ({ request }) => {
  // Sealed with the server's own secret for the real admin, but expired an hour ago.
  await expectEveryActionRefused(request, (sql) => forgedSessionCookie(sql, -3600));
});
