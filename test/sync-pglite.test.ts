import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSources, startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';
import { imapUid } from '@/test/support/stored-uids';

let bed: SyncTestbed;
let schema: typeof import('@/lib/db/schema');
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed({ driver: 'pglite' });
  schema = await import('@/lib/db/schema');
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());

describe('sync on the embedded database (PGlite)', () => {
  it('syncs incrementally and stores sources byte-exact without COPY', async () => {
    const address = 'embedded@contoso.test';
    const id = await bed.addAccount(address, { afterFetch: 'delete' });
    await bed.harness.seed.messages(address, { count: 40, seed: 8 });
    const expected = await serverSources(bed.harness, address, await bed.tokenFor(address));
    const first = await runSync(bed.deps({ batch: { messages: 15, bytes: 16 * 1024 * 1024 } }), {
      trigger: 'manual',
      accountIds: [id],
    });
    expect(first.accounts).toMatchObject([{ outcome: 'success', fetched: 40 }]);
    await bed.harness.seed.messages(address, { count: 5, seed: 8, offset: 40 });
    const second = await runSync(bed.deps(), { trigger: 'manual', accountIds: [id] });
    expect(second.accounts).toMatchObject([{ outcome: 'success', fetched: 5 }]);

    const stored = await bed.db
      .select({ uid: imapUid, digest: sql<string>`encode(sha256(${schema.messageSources.source}), 'hex')` })
      .from(schema.messages)
      .innerJoin(schema.messageSources, eq(schema.messageSources.messageId, schema.messages.id))
      .where(eq(schema.messages.accountId, id));
    expect(stored).toHaveLength(45);
    for (const row of stored.filter((r) => r.uid <= 40)) expect(row.digest).toBe(expected.get(row.uid));
    const [files] = await bed.db.select({ n: sql<number>`count(*)::int` }).from(schema.attachments);
    expect(files?.n).toBeGreaterThan(0);
  });
});
