/**
 * The demo world of `npm run harness` and `npm run demo`: the stand-in with a few mailboxes (a shared one and a
 * personal account among them), mail dated over the last 30 days, and an app registered for the console's URL.
 */
import { DEFAULT_TENANT } from './emulator/model';
import { startHarness, type Harness } from './fixture';
import { recentDates } from './messages';

export const DEMO_APP = {
  clientId: '3f0b4d6e-8a1c-4e2f-9b3d-5c7e9a1b2c4d',
  clientSecret: 'harness-demo-secret',
  tenant: DEFAULT_TENANT.id,
};

/** `npm run harness`'s ports, the same on every start so settings copied once keep working. */
export const FIXED_PORTS = { emulator: 4010, imap: 1143, smtp: 1587, graph: 4011 };

const alice = { address: 'alice@contoso.test', displayName: 'Alice Admin', messages: 300 };
const bob = { address: 'bob@contoso.test', displayName: 'Bob Builder', messages: 200 };
const support = { address: 'support@contoso.test', displayName: 'Contoso Support', messages: 50 };
const MAILBOXES = [alice, bob, support];

export interface DemoStandIn {
  harness: Harness;
  /** The console's settings for this stand-in, as environment variables. */
  settings: Record<string, string>;
  /** What is there to sign in with, for people. */
  summary: string;
}

/**
 * @param consoleUrl the console's base URL: the demo app's redirect URI is registered for it (and for its
 *   localhost / 127.0.0.1 twin), since Microsoft only returns to registered redirect URIs.
 */
export async function startDemoStandIn(options: {
  consoleUrl: string;
  ports?: Partial<typeof FIXED_PORTS>;
}): Promise<DemoStandIn> {
  const base = options.consoleUrl.replace(/\/+$/, '');
  const callback = `${base}/api/v1/external_credentials/microsoft365/callback`;
  const twin = callback.includes('://localhost')
    ? callback.replace('://localhost', '://127.0.0.1')
    : callback.replace('://127.0.0.1', '://localhost');
  const harness = await startHarness({
    emulatorPort: options.ports?.emulator,
    imapPort: options.ports?.imap,
    smtpPort: options.ports?.smtp,
    graphPort: options.ports?.graph,
    users: [
      { address: alice.address, displayName: alice.displayName },
      { address: bob.address, displayName: bob.displayName },
      {
        address: support.address,
        displayName: support.displayName,
        kind: 'shared',
        fullAccess: [alice.address],
        sendAs: [alice.address],
      },
      { address: 'pat@outlook.test', displayName: 'Pat Personal', kind: 'personal' },
    ],
    apps: [
      {
        ...DEMO_APP,
        redirectUris: [...new Set([callback, twin])],
        audience: 'organizations',
        tenant: DEMO_APP.tenant,
        // Application access over Graph (client credentials) works out of the box, as after admin consent.
        applicationPermissions: ['Mail.ReadWrite', 'Mail.Send'],
        // And over IMAP and SMTP: Exchange Online's application permissions, the service principal and a mailbox
        // permission on Alice's and Bob's mailboxes (Add mailbox refuses the others, naming Add-MailboxPermission).
        exchangePermissions: ['IMAP.AccessAsApp', 'SMTP.SendAsApp'],
        exchangeServicePrincipal: true,
        mailboxPermissions: [alice.address, bob.address],
      },
    ],
  });
  // Dated over the last 30 days (newest first in the list, something in the chart), not in a fixed past.
  await Promise.all(
    MAILBOXES.map((mailbox, index) =>
      harness.seed.messages(mailbox.address, {
        count: mailbox.messages,
        seed: index + 1,
        ...recentDates(mailbox.messages, 29),
      }),
    ),
  );
  return {
    harness,
    settings: {
      ...harness.env,
      MICROSOFT_CLIENT_ID: DEMO_APP.clientId,
      MICROSOFT_CLIENT_SECRET: DEMO_APP.clientSecret,
      MICROSOFT_TENANT_ID: DEMO_APP.tenant,
      HARNESS_CONTROL_URL: `${harness.emulator.url}/_harness`,
    },
    summary:
      'Mailboxes: alice@contoso.test (300 messages), bob@contoso.test (200), support@contoso.test (shared; alice is a\n' +
      'delegate), pat@outlook.test (a personal account). The sign-in page lists them; no passwords.',
  };
}
