import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TENANT } from '@/test/harness/emulator/model';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';

const DAEMON = { clientId: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', clientSecret: 'daemon~secret' };

let bed: SyncTestbed;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed({
    driver: 'pglite',
    harness: {
      apps: [
        {
          ...DAEMON,
          redirectUris: ['http://127.0.0.1:3999/cb'],
          tenant: DEFAULT_TENANT.id,
          applicationPermissions: ['Mail.ReadWrite'],
        },
      ],
    },
  });
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());

describe('Graph sync on the embedded database (PGlite)', () => {
  it('stores each page with its link and nothing twice after a restart, without COPY', async () => {
    const { appTokenSource } = await import('@/lib/microsoft/app-token');
    const { cloudEndpoints } = await import('@/lib/microsoft/clouds');
    const endpoints = cloudEndpoints('global', bed.harness.endpointOverrides);
    const token = appTokenSource({ ...DAEMON, tenant: DEFAULT_TENANT.id, endpoints });
    const deps = () =>
      bed.deps({
        batch: { messages: 10, bytes: 12 * 1024 * 1024 },
        graphMailbox: async (account) => ({ mailbox: account.emailAddress, baseUrl: endpoints.graphBaseUrl, token }),
      });
    const address = 'embedded-graph@contoso.test';
    const id = await bed.addAccount(address, { transport: 'graph', access: 'application' });
    await bed.harness.seed.messages(address, { count: 23, seed: 31 });
    expect((await runSync(deps(), { trigger: 'manual', accountIds: [id] })).accounts).toMatchObject([
      { outcome: 'success', fetched: 23 },
    ]);
    bed.harness.graph.delta.expireAll();
    await bed.harness.seed.messages(address, { count: 2, seed: 31, offset: 23 });
    expect((await runSync(deps(), { trigger: 'manual', accountIds: [id] })).accounts).toMatchObject([
      { outcome: 'success', fetched: 2 },
    ]);
    const rows = await bed.db
      .select({ graphId: schema.messages.graphId })
      .from(schema.messages)
      .where(eq(schema.messages.accountId, id));
    expect(new Set(rows.map((r) => r.graphId)).size).toBe(25);
    expect(rows).toHaveLength(25);
  });
});
