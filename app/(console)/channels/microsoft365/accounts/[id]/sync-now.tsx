'use client';
import { useRouter } from 'next/navigation';
import { useActionState, useEffect, useState } from 'react';
import { FormMessage } from '@/app/_components/form-message';
import { SubmitButton } from '@/app/_components/submit-button';
import { initialFormState } from '@/lib/form-state';
import { syncNowAction } from './actions';

interface Progress {
  running: boolean;
  stored: number;
  onServer: number | null;
}

const POLL_MS = 1500;

/** "Sync now" and, while any sync of this mailbox runs (started here or by the scheduler), its progress. */
export function SyncNow({ accountId, runningAtLoad }: { accountId: string; runningAtLoad: boolean }) {
  const [state, action] = useActionState(syncNowAction, initialFormState);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [finished, setFinished] = useState(false);
  const router = useRouter();
  const watching = runningAtLoad || state.ok;

  useEffect(() => {
    if (!watching) return;
    let seenRunning = false;
    let idlePolls = 0;
    let stopped = false;
    const poll = async () => {
      const response = await fetch(`/api/v1/accounts/${accountId}/sync-progress`, { cache: 'no-store' }).catch(
        () => null,
      );
      if (stopped || !response?.ok) return;
      const next = (await response.json()) as Progress;
      setProgress(next);
      seenRunning ||= next.running;
      idlePolls = next.running ? 0 : idlePolls + 1;
      // Done once a run was seen and has ended, or nothing started within a few polls.
      if ((seenRunning && !next.running) || idlePolls >= 4) {
        stopped = true;
        setFinished(true);
        router.refresh();
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [watching, accountId, router, state]);

  return (
    <div className="space-y-2">
      <form
        action={(form) => {
          setFinished(false);
          setProgress(null);
          action(form);
        }}
      >
        <input type="hidden" name="accountId" value={accountId} />
        <SubmitButton pendingLabel="Starting…" variant="secondary">
          Sync now
        </SubmitButton>
      </form>
      {state.message && !state.ok ? <FormMessage tone="error">{state.message}</FormMessage> : null}
      {watching && progress && !finished ? (
        <p className="text-sm text-slate-700" role="status" aria-live="polite">
          {progress.running ? 'Syncing…' : 'Waiting for the sync to start…'} {progress.stored.toLocaleString('en')}
          {progress.onServer !== null ? ` of ~${progress.onServer.toLocaleString('en')}` : ''} messages stored
        </p>
      ) : null}
      {finished ? (
        <p className="text-sm text-green-800" role="status" aria-live="polite">
          Sync finished: {progress?.stored.toLocaleString('en') ?? 0} messages stored.
        </p>
      ) : null}
    </div>
  );
}
