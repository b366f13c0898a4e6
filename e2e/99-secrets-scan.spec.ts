import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect, test } from './support/test';
import { recordScenario } from '../test/reliability/support/scenarios';
import { withE2eDatabase } from './support/db-snapshot';
import { recordedBodies, recordResponses } from './support/response-log';
import { SECRETS_FILE, SERVER_LOG, type E2eSecrets } from './support/run-files';
import { secretValues, type SecretValue } from './support/secret-values';
import { ALICE, world } from './support/world';
import { connectMailbox, withAdminPage } from './support/console-state';

// Runs last (hence 99): everything this worker's e2e world stored, answered and logged is scanned for the values
// that must only ever exist sealed (v1:<key id>:...), hashed, or not at all. With the specs before it, that is their
// whole run; on its own (or first) it makes the traffic itself below: a connected mailbox and every console page.
const GROUP = 'secrets';
const SEALED = /^v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/;

/** The forms a value takes in a dump, a page or a log: as is, URL-encoded, and as bytea hex. */
function spellings(value: string): string[] {
  return [
    ...new Set([
      value,
      encodeURIComponent(value),
      `\\x${Buffer.from(value).toString('hex')}`,
      Buffer.from(value).toString('hex'),
    ]),
  ];
}

/** Where each secret occurs in `haystack`: kind and a masked neighbourhood, never the value itself. */
function occurrences(haystack: Buffer, secrets: SecretValue[], where: string): string[] {
  const found: string[] = [];
  for (const { kind, value } of secrets) {
    for (const spelling of spellings(value)) {
      const at = haystack.indexOf(spelling);
      if (at < 0) continue;
      const before = haystack
        .subarray(Math.max(0, at - 60), at)
        .toString('utf8')
        .replace(/\s+/g, ' ');
      found.push(`${kind} in ${where} after “${before}”`);
      break;
    }
  }
  return found;
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  await withAdminPage(browser, async (page) => {
    const stopRecording = recordResponses(page.context());
    const account = await connectMailbox(page, ALICE);
    for (const path of [
      '/channels/microsoft365',
      `/channels/microsoft365/accounts/${account}`,
      '/messages',
      '/sync-runs',
      '/audit',
      '/administrators',
      '/settings',
    ]) {
      await page.goto(path);
      // Client navigations too: their answers are RSC payloads, not HTML.
      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.waitForURL('**/audit');
    }
    await stopRecording();
  });
});

test('@reliability the database dump holds no secret, token or password in the clear, only sealed values', async () => {
  test.setTimeout(180_000);
  const secrets = await secretValues();
  const tokens = secrets.filter((s) => s.kind === 'refresh token' || s.kind === 'access token');
  expect(tokens.length, 'the run issued tokens to scan for').toBeGreaterThan(1);

  const { stdout: dump } = await promisify(execFile)(
    'pg_dump',
    ['--format=plain', '--no-owner', '--no-privileges', `--dbname=${world().databaseUrl}`],
    { encoding: 'buffer', maxBuffer: 2 * 1024 ** 3 },
  );
  const leaks = occurrences(dump, secrets, 'the dump');

  // The sealed columns hold only v1:<key id>:... under the server's key, and the dump contains them.
  const keys = JSON.parse(readFileSync(SECRETS_FILE, 'utf8')) as E2eSecrets;
  const keyId = createHash('sha256').update(Buffer.from(keys.encryptionKey, 'base64')).digest('hex').slice(0, 8);
  const sealed = await withE2eDatabase(async (sql) => [
    ...(await sql<{ v: string }[]>`select client_secret_sealed as v from microsoft365_apps`),
    ...(await sql<
      { v: string }[]
    >`select token_cache_sealed as v from mail_accounts where token_cache_sealed is not null`),
    ...(await sql<{ v: string }[]>`select code_verifier_sealed as v from oauth_flows`),
  ]);
  const unsealed = sealed.filter(({ v }) => !SEALED.test(v) || !v.startsWith(`v1:${keyId}:`)).length;
  const inDump = sealed.filter(({ v }) => dump.includes(v)).length;
  const hashes = await withE2eDatabase((sql) => sql<{ h: string }[]>`select password_hash as h from admins`);
  const weakHashes = hashes.filter(({ h }) => !/^(scrypt\$\d+\$|\$argon2id\$)/.test(h)).length;

  await recordScenario({
    group: GROUP,
    scenario: 'pg_dump of the e2e database: secrets, tokens, keys, admin password',
    expected: secrets.length,
    stored: leaks.length + unsealed + weakHashes,
    lost: 0,
    duplicated: 0,
    note: `${dump.length} bytes scanned; ${sealed.length} sealed values (v1:${keyId}), ${hashes.length} password hashes`,
  });
  expect(leaks).toEqual([]);
  expect(sealed.length, 'the app secret, token caches and PKCE verifiers are there to check').toBeGreaterThan(2);
  expect(unsealed).toBe(0);
  expect(inDump).toBe(sealed.length);
  expect(weakHashes).toBe(0);
});

test('@reliability no recorded response of the whole e2e run carried a secret, token or password', async () => {
  test.setTimeout(180_000);
  const secrets = await secretValues();
  const bodies = recordedBodies();
  expect(bodies.length, 'the run recorded its responses').toBeGreaterThan(20);
  const leaks: string[] = [];
  let bytes = 0;
  for (const { url, body } of bodies) {
    bytes += body.length;
    leaks.push(...occurrences(body, secrets, url.slice(0, 100)));
  }
  await recordScenario({
    group: GROUP,
    scenario: 'every HTML/JSON/RSC response recorded during the e2e run',
    expected: secrets.length,
    stored: leaks.length,
    lost: 0,
    duplicated: 0,
    note: `${bodies.length} responses, ${bytes} bytes scanned`,
  });
  expect(leaks).toEqual([]);
});

test('@reliability the server log of the whole e2e run holds no secret, token or password', async () => {
  const secrets = await secretValues();
  const log = readFileSync(SERVER_LOG);
  expect(log.length, 'the server wrote its log').toBeGreaterThan(0);
  const leaks = occurrences(log, secrets, 'the server log');
  const lines = log.toString('utf8').split('\n').length;
  await recordScenario({
    group: GROUP,
    scenario: 'next start stdout and stderr of the e2e run',
    expected: secrets.length,
    stored: leaks.length,
    lost: 0,
    duplicated: 0,
    note: `${lines} lines, ${log.length} bytes scanned`,
  });
  expect(leaks).toEqual([]);
});
