/**
 * Faults part B, scenario 4: the server resets a folder's UIDVALIDITY and re-lists the same messages (plus new
 * ones that arrived meanwhile). The product starts a new generation, links the re-listed copies to what it
 * already stored instead of storing their bytes again, and is exact (0 lost, 0 duplicated) against the new UIDs.
 */
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTokenFixture, type TokenFixture } from '@/test/reliability/support/token-fixture';
import { recordExactness } from '@/test/reliability/support/scenarios';

const ADDRESS = 'alice@contoso.test';
let t: TokenFixture;
let schema: typeof import('@/lib/db/schema');

beforeAll(async () => {
  t = await startTokenFixture([ADDRESS]);
  schema = await import('@/lib/db/schema');
}, 120_000);
afterAll(async () => t?.stop());

describe('a UIDVALIDITY reset with the same messages', () => {
  it('opens a new generation, links the copies, stores only the new mail, exact against the new UIDs', async () => {
    await t.f.harness.seed.messages(ADDRESS, { count: 120, seed: 90 });
    expect((await t.pass()).accounts[0]).toMatchObject({ outcome: 'success', fetched: 120 });
    const id = t.idOf(ADDRESS);
    const [before] = await t.f.db.select().from(schema.mailFolderState).where(eq(schema.mailFolderState.accountId, id));

    // New mail arrives that the product has not seen, then the server resets the folder.
    await t.f.harness.seed.messages(ADDRESS, { count: 15, seed: 90, offset: 120 });
    const validity = await t.f.harness.seed.changeUidValidity(ADDRESS);
    expect(validity).not.toBe(before?.uidValidity);

    const report = await t.pass({ laterMs: 3_600_000 });
    expect(report.accounts[0]).toMatchObject({ outcome: 'success', fetched: 135 });
    const exact = await t.exactness(ADDRESS);
    expect(exact).toEqual({ expected: 135, stored: 135, lost: 0, duplicated: 0, altered: 0 });

    const generation = and(eq(schema.messages.accountId, id), eq(schema.messages.uidValidity, validity));
    const [linked] = await t.f.db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.messages)
      .where(and(generation, isNotNull(schema.messages.duplicateOf)));
    const [fresh] = await t.f.db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.messages)
      .where(and(generation, isNull(schema.messages.duplicateOf)));
    expect(linked?.n).toBe(120);
    expect(fresh?.n).toBe(15);
    // Bytes are stored once per distinct message: 120 originals + 15 new, none for the linked copies.
    const [sources] = await t.f.db
      .select({ n: sql<number>`count(*)::int` })
      .from(schema.messageSources)
      .innerJoin(schema.messages, eq(schema.messages.id, schema.messageSources.messageId))
      .where(eq(schema.messages.accountId, id));
    expect(sources?.n).toBe(135);
    const [state] = await t.f.db.select().from(schema.mailFolderState).where(eq(schema.mailFolderState.accountId, id));
    expect(state?.uidValidity).toBe(validity);

    // And it stays exact: the next run after more mail fetches only that.
    await t.f.harness.seed.messages(ADDRESS, { count: 5, seed: 90, offset: 135 });
    expect((await t.pass({ laterMs: 7_200_000 })).accounts[0]).toMatchObject({ outcome: 'success', fetched: 5 });
    const after = await t.exactness(ADDRESS);
    expect(after).toEqual({ expected: 140, stored: 140, lost: 0, duplicated: 0, altered: 0 });
    await recordExactness(
      'UIDVALIDITY reset re-listing the same messages (+15 new)',
      after,
      `new generation ${validity}: 120 linked to stored copies (no bytes stored again), 15 + 5 new stored`,
    );
  }, 120_000);
});
