'use client';
import { useRouter } from 'next/navigation';
import { useActionState, useState } from 'react';
import { FormMessage } from '@/app/_components/form-message';
import { announce } from '@/app/_components/live-region';
import { SubmitButton } from '@/app/_components/submit-button';
import { useFormFeedback } from '@/app/_components/use-form-feedback';
import { usePoll } from '@/app/_components/use-poll';
import type { RunsSince } from '@/lib/db/queries/sync-progress';
import { countOf } from '@/lib/format/count';
import { initialFormState } from '@/lib/form-state';
import { syncAllNowAction } from './actions';

// Polls with nothing running and nothing new before the watch gives up (mailboxes held by another process).
const IDLE_POLLS = 10;

/** "Sync all now", then how far the started runs are, until the last one ends; the list is refreshed then. */
export function SyncAllNow() {
  const [state, action] = useActionState(syncAllNowAction, initialFormState);
  const form = useFormFeedback(state);
  const router = useRouter();
  const started = state.started;
  const [view, setView] = useState<{ since: string; runs: RunsSince; idle: number; done: boolean } | null>(null);
  const current = view && view.since === started?.since ? view : null;

  usePoll<RunsSince>(
    started && !current?.done ? `/api/v1/sync-progress?since=${encodeURIComponent(started.since)}` : null,
    (runs) => {
      if (!started) return true;
      const idle = runs.running === 0 && runs.finished === (current?.runs.finished ?? 0) ? (current?.idle ?? 0) + 1 : 0;
      const done = (runs.running === 0 && runs.finished >= started.items) || idle >= IDLE_POLLS;
      setView({ since: started.since, runs, idle, done });
      if (done) {
        announce(summary(runs));
        router.refresh();
      }
      return done;
    },
  );

  const runs = current?.runs;
  return (
    <div className="flex flex-col gap-2">
      <form ref={form} action={action}>
        <SubmitButton pendingLabel="Starting…" variant="secondary">
          Sync all now
        </SubmitButton>
      </form>
      {state.message && !state.ok ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      {started && !current?.done ? (
        <p className="max-w-xs text-sm text-slate-700" data-sync-progress>
          {state.message}{' '}
          {runs
            ? `${countOf(runs.finished, 'mailbox', 'mailboxes')} done, ${runs.running} syncing; ${countOf(runs.newMessages, 'new message')} so far.`
            : 'Waiting for the first mailbox…'}
        </p>
      ) : null}
      {current?.done ? (
        <p className={`max-w-xs text-sm ${current.runs.failed ? 'text-red-700' : 'text-green-800'}`} data-sync-outcome>
          {summary(current.runs)}
        </p>
      ) : null}
    </div>
  );
}

function summary(runs: RunsSince): string {
  const failed = runs.failed > 0 ? ` ${countOf(runs.failed, 'mailbox', 'mailboxes')} failed: see the list.` : '';
  return `Sync finished for ${countOf(runs.finished, 'mailbox', 'mailboxes')}: ${countOf(runs.newMessages, 'new message')}.${failed}`;
}
