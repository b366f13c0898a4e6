'use client';
import { useRouter } from 'next/navigation';
import { useActionState, useState } from 'react';
import { FormMessage } from '@/app/_components/form-message';
import { announce } from '@/app/_components/live-region';
import { SubmitButton } from '@/app/_components/submit-button';
import { usePoll } from '@/app/_components/use-poll';
import { countOf } from '@/lib/format/count';
import { initialFormState } from '@/lib/form-state';
import type { SyncProgressView } from '@/lib/db/queries/sync-progress';
import { syncNowAction } from './actions';

// A started sync that never shows up (another process holds the mailbox) stops being watched after this.
const IDLE_POLLS = 8;

type Watch = { key: string; since?: string };
type View = { progress: SyncProgressView | null; outcome: { ok: boolean; text: string } | null; key: string };

function finishedText(progress: SyncProgressView): { ok: boolean; text: string } {
  const total = `${countOf(progress.stored, 'message')} stored in total`;
  const runs = progress.since;
  if (!runs) return { ok: true, text: `Sync finished: ${total}.` };
  if (runs.failed > 0) return { ok: false, text: `Sync failed: ${runs.lastError ?? 'see the sync history below.'}` };
  return { ok: true, text: `Sync finished: ${countOf(runs.newMessages, 'new message')}; ${total}.` };
}

/**
 * "Sync now" and, while a sync of this mailbox runs (started here or by the schedule), its progress. When the
 * run ends the page's numbers are refreshed and polling stops.
 */
export function SyncNow({ accountId, runningAtLoad }: { accountId: string; runningAtLoad: boolean }) {
  const [state, action] = useActionState(syncNowAction, initialFormState);
  const router = useRouter();
  const watch: Watch | null = state.started
    ? { key: state.started.since, since: state.started.since }
    : runningAtLoad
      ? { key: 'load' }
      : null;
  const [view, setView] = useState<View>({ progress: null, outcome: null, key: '' });
  const current = view.key === watch?.key ? view : { progress: null, outcome: null, key: watch?.key ?? '' };
  const [idle, setIdle] = useState({ key: '', polls: 0, seenRunning: false });

  const url =
    watch && !current.outcome
      ? `/api/v1/accounts/${accountId}/sync-progress${watch.since ? `?since=${encodeURIComponent(watch.since)}` : ''}`
      : null;
  usePoll<SyncProgressView>(url, (progress) => {
    const key = watch?.key ?? '';
    const seen = idle.key === key ? idle : { key, polls: 0, seenRunning: false };
    const seenRunning = seen.seenRunning || progress.running;
    const done = progress.since
      ? progress.since.finished > 0 && progress.since.running === 0 && !progress.running
      : seenRunning && !progress.running;
    const polls = progress.running ? 0 : seen.polls + 1;
    setIdle({ key, polls, seenRunning });
    if (!done && polls < IDLE_POLLS) {
      if (progress.running && !seen.seenRunning) announce('Syncing…');
      setView({ progress, outcome: null, key });
      return false;
    }
    const outcome = done
      ? finishedText(progress)
      : {
          ok: true,
          text: 'No sync of this mailbox started: another process may be syncing it. See the history below.',
        };
    setView({ progress, outcome, key });
    announce(outcome.text);
    router.refresh();
    return true;
  });

  const progress = current.progress;
  return (
    <div className="space-y-2">
      <form action={action}>
        <input type="hidden" name="accountId" value={accountId} />
        <SubmitButton pendingLabel="Starting…" variant="secondary">
          Sync now
        </SubmitButton>
      </form>
      {state.message && !state.ok ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      {watch && progress && !current.outcome ? (
        <p className="text-sm text-slate-700" data-sync-progress>
          {progress.running ? 'Syncing…' : 'Waiting for the sync to start…'} {progress.stored.toLocaleString('en')}
          {progress.onServer !== null ? ` of ~${progress.onServer.toLocaleString('en')}` : ''} messages stored
        </p>
      ) : null}
      {current.outcome ? (
        <p className={`text-sm ${current.outcome.ok ? 'text-green-800' : 'text-red-700'}`} data-sync-outcome>
          {current.outcome.text}
        </p>
      ) : null}
    </div>
  );
}
