import { EmptyState } from '@/app/_components/empty-state';
import type { SyncRun } from '@/lib/db/queries/sync-runs';
import { SyncRunTable } from '@/app/(console)/_components/sync-run-table';

export function SyncHistory({ runs }: { runs: SyncRun[] }) {
  if (runs.length === 0)
    return <EmptyState title="No sync runs yet">The first run starts at the next scheduled sync.</EmptyState>;
  return <SyncRunTable runs={runs} />;
}
