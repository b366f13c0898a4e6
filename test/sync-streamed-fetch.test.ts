/**
 * On one connection (every incremental run) the batches of a run come in one body FETCH and each is stored as soon
 * as it is in (lib/sync/fetch-batch.ts `fetchBatches`), so a link with delay is not left idle for a round trip
 * between batches (issue 17: "Pipeline FETCHes on each connection"). Exactly once and the UID-ordered watermark
 * hold when a batch in the middle of such a FETCH fails to store.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncDeps } from '@/lib/sync/types';
import { exactness, watermarkCoverage } from '@/test/reliability/support/fault-checks';
import { startSyncTestbed, type SyncTestbed } from '@/test/support/sync-harness';

let bed: SyncTestbed;
let runSync: typeof import('@/lib/sync/run').runSync;

beforeAll(async () => {
  bed = await startSyncTestbed();
  ({ runSync } = await import('@/lib/sync/run'));
});
afterAll(() => bed?.stop());

function personality() {
  if (!bed.harness.exchange) throw new Error('The Exchange personality is off');
  return bed.harness.exchange;
}

function sync(id: string, overrides: Partial<SyncDeps> = {}) {
  return runSync(bed.deps({ connectionsPerMailbox: 1, ...overrides }), { trigger: 'manual', accountIds: [id] });
}

/** Commands the stand-in saw during one incremental run of `count` new messages. */
async function commandsForIncremental(address: string, seed: number, batchMessages: number): Promise<number> {
  const id = await bed.addAccount(address);
  await bed.harness.seed.messages(address, { count: 10, seed, profile: 'light' });
  expect((await sync(id)).accounts).toMatchObject([{ outcome: 'success', fetched: 10 }]);
  await bed.harness.seed.messages(address, { count: 30, seed, offset: 10, profile: 'light' });
  const before = personality().stats.commands;
  const report = await sync(id, { batch: { messages: batchMessages, bytes: 16 * 1024 * 1024 } });
  expect(report.accounts).toMatchObject([{ outcome: 'success', fetched: 30 }]);
  const commands = personality().stats.commands - before;
  const exact = await exactness(bed.db, bed.harness, id, address);
  expect(exact).toMatchObject({ expected: 40, stored: 40, lost: 0, duplicated: 0, altered: 0 });
  return commands;
}

describe('batches streamed in one FETCH', () => {
  it('costs no command per batch: 30 new messages in six batches take as many commands as in one', async () => {
    const oneBatch = await commandsForIncremental('stream-one@contoso.test', 811, 1_000);
    const sixBatches = await commandsForIncremental('stream-six@contoso.test', 812, 5);
    expect(sixBatches).toBe(oneBatch);
  });

  it('keeps exactly once and the watermark in UID order when a batch inside the FETCH fails to store', async () => {
    const address = 'stream-fail@contoso.test';
    const id = await bed.addAccount(address);
    await bed.harness.seed.messages(address, { count: 10, seed: 813, profile: 'light' });
    expect((await sync(id)).accounts).toMatchObject([{ outcome: 'success', fetched: 10 }]);
    await bed.harness.seed.messages(address, { count: 40, seed: 813, offset: 10, profile: 'light' });

    // Batches of five new messages (UIDs 11–15, 16–20, …): the row of UID 23, in the third, cannot be written.
    // DDL takes no parameters; the id is a uuid the test created.
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await bed.db.execute(
      sql.raw(`create function refuse_uid_23() returns trigger language plpgsql as $$
        begin
          if new.account_id = '${id}'::uuid and new.uid = 23 then raise exception 'refused for the test'; end if;
          return new;
        end $$`),
    );
    await bed.db.execute(
      sql`create trigger refuse_uid_23 before insert on messages for each row execute function refuse_uid_23()`,
    );
    try {
      const failed = await sync(id, { batch: { messages: 5, bytes: 16 * 1024 * 1024 } });
      expect(failed.accounts).toMatchObject([{ outcome: 'failed', error: { code: 'sync.store_failed' } }]);
      // The first two batches committed, the one that failed and every one after it did not.
      const coverage = await watermarkCoverage(bed.db, bed.harness, id, address);
      expect(coverage).toEqual({ lastUid: 20, storedAbove: 0, missingBelow: 0, stored: 20 });
    } finally {
      await bed.db.execute(sql`drop trigger refuse_uid_23 on messages`);
      await bed.db.execute(sql`drop function refuse_uid_23()`);
    }
    await bed.db.execute(sql`update mail_accounts set next_attempt_at = now() where id = ${id}::uuid`);
    const next = await sync(id, { batch: { messages: 5, bytes: 16 * 1024 * 1024 } });
    expect(next.accounts).toMatchObject([{ outcome: 'success', fetched: 30 }]);
    const exact = await exactness(bed.db, bed.harness, id, address);
    expect(exact).toMatchObject({ expected: 50, stored: 50, lost: 0, duplicated: 0, altered: 0 });
  });
});
