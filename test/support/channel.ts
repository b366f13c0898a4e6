import { startHarness, type Harness, type HarnessOptions } from '@/test/harness/fixture';
import { DEFAULT_TENANT, type AppInput } from '@/test/harness/emulator/model';
import { SignInDriver } from '@/test/harness/sign-in-driver';
import { createTestDatabase, configureTestEnvironment, type TestDatabase } from '@/test/support/database';

export const BASE_URL = 'http://127.0.0.1:3999';
export const CALLBACK = `${BASE_URL}/api/v1/external_credentials/microsoft365/callback`;
export const CLIENT_ID = '3f9d2a10-5b6c-4d7e-8f90-a1b2c3d4e5f6';
export const CLIENT_SECRET = 'Zx8~harness-secret-value-1a2b';
export const TENANT = DEFAULT_TENANT.id;

/**
 * A product wired to the stand-in through configuration only: a fresh database, the harness's endpoints in
 * the environment, one admin and saved app credentials. Modules are imported after the environment is set.
 */
export async function startChannelFixture(
  options: HarnessOptions & {
    /** More settings of the product's own app registration (application permissions, RBAC assignments). */
    app?: Partial<AppInput>;
  } = {},
) {
  const { app: appSettings, ...harnessOptions } = options;
  const harness: Harness = await startHarness({
    ...harnessOptions,
    users: [
      { address: 'alice@contoso.test', displayName: 'Alice Example' },
      { address: 'bob@contoso.test', displayName: 'Bob Example' },
      ...(options.users ?? []),
    ],
    apps: [
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [CALLBACK],
        audience: 'single',
        tenant: TENANT,
        ...appSettings,
      },
      ...(options.apps ?? []),
    ],
  });
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase();
    configureTestEnvironment(database.url, harness.env);
    const dbModule = await import('@/lib/db');
    const db = await dbModule.getDb();
    const { setUpFirstAdmin } = await import('@/lib/auth/setup');
    const admin = await setUpFirstAdmin(db, {
      email: 'admin@example.com',
      name: 'Admin',
      password: 'a long password 1',
    });
    if (!admin) throw new Error('no admin');
    const { saveAppCredentials } = await import('@/lib/channels/microsoft365/app-credentials');
    await saveAppCredentials(
      db,
      { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tenant: TENANT, cloud: 'global', secretExpiresOn: null },
      admin,
    );
    const connect = await import('@/lib/channels/microsoft365/connect');
    const complete = await import('@/lib/channels/microsoft365/complete-connect');
    const target = database;
    return {
      harness,
      db,
      admin,
      /** Starts a flow and signs in on the emulator like a browser; returns the callback's query. */
      async signIn(
        intent: import('@/lib/channels/microsoft365/connect').ConnectIntent,
        account: string | undefined,
        signInOptions?: Parameters<SignInDriver['signIn']>[2],
      ) {
        const started = await connect.startConnect(db, admin, intent, BASE_URL);
        if (!started.ok) throw new Error(started.error.message);
        const { redirect } = await new SignInDriver().signIn(started.url, account, signInOptions);
        return Object.fromEntries(redirect.searchParams) as {
          state: string;
          code?: string;
          error?: string;
          error_description?: string;
        };
      },
      complete: (params: { state: string; code?: string; error?: string; error_description?: string }, who = admin) =>
        complete.completeConnect(db, who, params, BASE_URL),
      async stop() {
        await dbModule.closeDatabase();
        await target.drop();
        await harness.stop();
      },
    };
  } catch (error) {
    await database?.drop();
    await harness.stop();
    throw error;
  }
}

export type ChannelFixture = Awaited<ReturnType<typeof startChannelFixture>>;

/**
 * A Graph mailbox with application access, inserted as Add mailbox stores one (no sign-in, no token cache), with an
 * empty maildir so the stand-in knows it.
 */
export async function addApplicationMailbox(
  f: ChannelFixture,
  address: string,
  values: { afterFetch?: 'keep' | 'mark_seen' | 'delete'; folders?: string[] } = {},
): Promise<string> {
  const { mailAccounts } = await import('@/lib/db/schema');
  await f.harness.maildirs.ensureFolder(address);
  const [row] = await f.db
    .insert(mailAccounts)
    .values({
      emailAddress: address,
      homeAccountId: `app:${CLIENT_ID}`,
      tenantId: TENANT,
      signInAddress: address,
      imapUser: address,
      transport: 'graph',
      access: 'application',
      ...values,
    })
    .returning({ id: mailAccounts.id });
  return (row as { id: string }).id;
}

/** A Graph client with the product app's own token, as an admin's script would use it (to look at Graph's side). */
export async function appGraphClient(f: ChannelFixture) {
  const { appTokenSource } = await import('@/lib/microsoft/app-token');
  const { createGraphClient } = await import('@/lib/microsoft/graph/client');
  const { cloudEndpoints } = await import('@/lib/microsoft/clouds');
  const endpoints = cloudEndpoints('global', f.harness.endpointOverrides);
  const token = appTokenSource({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tenant: TENANT, endpoints });
  return createGraphClient({ baseUrl: endpoints.graphBaseUrl, token });
}
