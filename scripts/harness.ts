/**
 * `npm run harness`: the Microsoft 365 stand-in for manual clicking. Starts the identity emulator, Dovecot and the
 * SMTP stand-in on loopback, registers a demo app and seeds demo mailboxes, prints the settings as KEY=value lines
 * on stdout (notes go to stderr), and runs until Ctrl-C.
 *
 *   npm run harness -- --port 4010
 */
import { parseArgs } from 'node:util';
import { DEFAULT_TENANT } from '@/test/harness/emulator/model';
import { startHarness } from '@/test/harness/fixture';

const DEMO_CLIENT_ID = '3f0b4d6e-8a1c-4e2f-9b3d-5c7e9a1b2c4d';
const DEMO_CLIENT_SECRET = 'harness-demo-secret';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65_535))
    throw new Error(`Invalid --port ${values.port}`);
  const appBaseUrl = (process.env.APP_BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');

  const started = Date.now();
  const harness = await startHarness({
    emulatorPort: port,
    users: [
      { address: 'alice@contoso.test', displayName: 'Alice Admin' },
      { address: 'bob@contoso.test', displayName: 'Bob Builder' },
      {
        address: 'support@contoso.test',
        displayName: 'Contoso Support',
        kind: 'shared',
        fullAccess: ['alice@contoso.test'],
        sendAs: ['alice@contoso.test'],
      },
      { address: 'pat@outlook.test', displayName: 'Pat Personal', kind: 'personal' },
    ],
    apps: [
      {
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        redirectUris: [`${appBaseUrl}/api/v1/external_credentials/microsoft365/callback`],
        audience: 'organizations',
        tenant: DEFAULT_TENANT.id,
      },
    ],
  });
  await Promise.all([
    harness.seed.messages('alice@contoso.test', { count: 300, seed: 1 }),
    harness.seed.messages('bob@contoso.test', { count: 200, seed: 2 }),
    harness.seed.messages('support@contoso.test', { count: 50, seed: 3 }),
  ]);

  const settings: Record<string, string> = {
    ...harness.env,
    MICROSOFT_CLIENT_ID: DEMO_CLIENT_ID,
    MICROSOFT_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    MICROSOFT_TENANT_ID: DEFAULT_TENANT.id,
    HARNESS_CONTROL_URL: `${harness.emulator.url}/_harness`,
  };
  for (const [key, value] of Object.entries(settings)) process.stdout.write(`${key}=${value}\n`);
  process.stderr.write(
    `\nMicrosoft 365 stand-in ready in ${Date.now() - started} ms (work dir ${harness.workDir}).\n` +
      'Mailboxes: alice@contoso.test (300 messages), bob@contoso.test (200), support@contoso.test (shared; alice is a delegate),\n' +
      'pat@outlook.test (personal account). Sign-in page lists them; no passwords. Ctrl-C stops and cleans up.\n',
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the stand-in...\n`);
    harness.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Harness failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
