import { readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { expect, test } from '@playwright/test';
import { CAPTURED_ACTIONS, type CapturedAction } from './support/test';
import { world } from './support/world';

// Public by design: signing in, and the first-run set-up (which closes itself once an admin exists).
const PUBLIC_ACTIONS = new Set(['signInWithPassword', 'createFirstAdmin']);

interface ManifestEntry {
  filename: string;
  exportedName: string;
}

function consoleActions(): Map<string, ManifestEntry> {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), '.next', 'server', 'server-reference-manifest.json'), 'utf8')) as { node: Record<string, ManifestEntry> };
  return new Map(Object.entries(manifest.node).filter(([, entry]) => entry.filename.startsWith('app/') && !PUBLIC_ACTIONS.has(entry.exportedName)));
}

async function snapshot(sql: postgres.Sql) {
  const [counts] = await sql`select
    (select count(*) from audit_events)::int as audit, (select count(*) from oauth_flows)::int as flows,
    (select count(*) from microsoft365_apps)::int as apps,
    (select coalesce(string_agg(id::text || status::text || after_fetch::text || coalesce(removed_at::text, ''), ',' order by id), '') from mail_accounts) as accounts`;
  return counts;
}

test('every console server action refuses a caller without a session and changes nothing', async ({ request }) => {
  const captured = readFileSync(CAPTURED_ACTIONS, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as CapturedAction);
  const actions = consoleActions();
  const replays = new Map<string, CapturedAction>();
  for (const call of captured) if (actions.has(call.id) && !replays.has(call.id)) replays.set(call.id, call);

  // Discovered from the build: a new action that no spec exercises fails here until one does.
  const missing = [...actions].filter(([id]) => !replays.has(id)).map(([, e]) => `${e.filename}#${e.exportedName}`);
  expect(missing).toEqual([]);

  const sql = postgres(world().databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const before = await snapshot(sql);
    for (const [id, call] of replays) {
      const { cookie: _cookie, ...headers } = call.headers;
      const response = await request.post(call.url, { headers, data: Buffer.from(call.body, 'base64'), maxRedirects: 0 });
      const redirect = response.headers()['x-action-redirect'] ?? response.headers().location ?? '';
      expect(redirect, `${actions.get(id)?.exportedName} must send the anonymous caller to sign-in`).toMatch(/^(https?:\/\/[^/]+)?\/(sign-in|setup)/);
    }
    expect(await snapshot(sql)).toEqual(before);
  } finally {
    await sql.end();
  }
});
