import { describe, expect, it } from 'vitest';
import { startSyncTestbed } from '@/test/support/sync-harness';

// A quick local figure, not a timed test (DESIGN.md §7): `SYNC_BENCH=2000 npx vitest run test/sync-speed.test.ts`.
const count = Number(process.env.SYNC_BENCH ?? 0);

describe.runIf(count > 0)('first sync speed', () => {
  it(`syncs ${count} realistic messages and prints msg/s, MB/s and peak RSS`, { timeout: 600_000 }, async () => {
    const bed = await startSyncTestbed();
    try {
      const { runSync } = await import('@/lib/sync/run');
      const address = 'bench@contoso.test';
      const id = await bed.addAccount(address);
      await bed.harness.seed.messages(address, { count, seed: 2024, profile: 'realistic' });
      const started = process.hrtime.bigint();
      const report = await runSync(bed.deps(), { trigger: 'cli', accountIds: [id] });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const [account] = report.accounts;
      expect(account).toMatchObject({ outcome: 'success', fetched: count });
      const mb = (account?.bytes ?? 0) / 1024 / 1024;
      const rssMb = process.resourceUsage().maxRSS / 1024;
      console.log(
        `${count} messages, ${mb.toFixed(0)} MB in ${seconds.toFixed(2)} s: ${(count / seconds).toFixed(0)} msg/s, ${(mb / seconds).toFixed(1)} MB/s, peak RSS ${rssMb.toFixed(0)} MB`,
      );
    } finally {
      await bed.stop();
    }
  });
});
