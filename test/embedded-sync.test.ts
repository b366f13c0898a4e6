/**
 * The embedded console's own syncing (`npm start` on PGlite: nothing else may open its database), wired to the
 * stand-in through configuration only: a polled pass on its schedule and an IMAP IDLE watch on each INBOX; stop()
 * (SIGTERM/SIGINT) frees the watch claims at once for another process, closes the IDLE connections and leaves no
 * sync lease behind.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailAccounts, mailboxWatches, syncRuns } from '@/lib/db/schema';
import { startChannelFixture, type ChannelFixture } from '@/test/support/channel';
import { eachOnce, uidCounts as storedUidCounts } from '@/test/support/stored-uids';
import { waitFor } from '@/test/support/wait-for';

const ALICE = 'alice@contoso.test';

let f: ChannelFixture;
let alice: string;

beforeAll(async () => {
  f = await startChannelFixture();
  const result = await f.complete(await f.signIn({ kind: 'connect' }, ALICE));
  if (!result.ok || !result.outcome.ok) throw new Error(`connect ${ALICE} failed`);
  alice = result.outcome.accountId;
  await f.harness.seed.messages(ALICE, { count: 3, seed: 5050, profile: 'light' });
}, 120_000);
afterAll(() => f?.stop());

const uidCounts = () => storedUidCounts(f.db, alice);
const claim = async () => (await f.db.select().from(mailboxWatches).where(eq(mailboxWatches.accountId, alice)))[0];
const openSessions = () => [...f.harness.exchange!.sessions.values()].reduce((sum, list) => sum + list.length, 0);

describe('the embedded sync (schedule and watches)', () => {
  it('syncs at start, stores new mail through the watch, and stop() frees its claims at once', async () => {
    const { startEmbeddedSync } = await import('@/lib/channels/microsoft365/embedded-sync');
    const { claimWatches } = await import('@/lib/db/queries/mailbox-watches');
    // One pass at start, then not within this test: later mail can only come in through the watch.
    const sync = startEmbeddedSync(f.db, { intervalMs: 3_600_000, firstDelayMs: 0 });
    try {
      await waitFor(
        'the first pass',
        async () => (await uidCounts()).length,
        (n) => n === 3,
      );
      const watcher = await waitFor('the watch claim', claim, (row) => row !== undefined);
      await f.harness.seed.messages(ALICE, { count: 2, seed: 5051, profile: 'light' });
      const counts = await waitFor('the new mail', uidCounts, (rows) => rows.length === 5);
      expect(eachOnce(counts)).toBe(true);
      // The first three came in through the first pass or the watch's catch-up sync on connecting, whichever
      // leased the mailbox first (the other finds it leased or caught up: both are right, and under load either
      // wins); the last two only through the watch, with the next pass an hour away.
      const runs = await f.db.select().from(syncRuns).where(eq(syncRuns.accountId, alice)).orderBy(syncRuns.id);
      const triggers = runs.map((run) => run.trigger);
      expect(triggers.every((trigger) => trigger === 'schedule' || trigger === 'watch')).toBe(true);
      expect(triggers.at(-1)).toBe('watch');
      expect(openSessions()).toBeGreaterThan(0);

      await sync.stop();
      // No claim left to expire: another worker (or the console started again) takes the mailbox at once.
      expect(await claim()).toBeUndefined();
      const taken = await claimWatches(f.db, { owner: 'next-worker', leaseMs: 60_000, limit: 10 });
      expect(taken.map((account) => account.id)).toEqual([alice]);
      expect(watcher!.owner).not.toBe('next-worker');
      // Nor a sync lease, and the IDLE connection is closed.
      const [row] = await f.db.select().from(mailAccounts).where(eq(mailAccounts.id, alice));
      expect(row).toMatchObject({ leaseOwner: null, status: 'active', consecutiveFailures: 0 });
      await waitFor(
        'the IDLE connection to close',
        async () => openSessions(),
        (n) => n === 0,
      );
      // Stopping twice is one stop.
      await sync.stop();
    } finally {
      await sync.stop();
      await f.db.delete(mailboxWatches);
    }
  });
});
