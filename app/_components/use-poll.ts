'use client';
import { useEffect, useRef } from 'react';

const POLL_MS = 1500;

/**
 * Polls `url` while it is set, handing each JSON answer to `onAnswer`, which returns true when the work is done
 * (polling then stops). Nothing polls while `url` is null: a page where nothing runs makes no requests.
 */
export function usePoll<T>(url: string | null, onAnswer: (answer: T) => boolean): void {
  const handler = useRef(onAnswer);
  useEffect(() => {
    handler.current = onAnswer;
  });
  useEffect(() => {
    if (!url) return;
    let stopped = false;
    const poll = async () => {
      const response = await fetch(url, { cache: 'no-store' }).catch(() => null);
      if (stopped || !response?.ok) return;
      const answer = (await response.json()) as T;
      if (!stopped && handler.current(answer)) {
        stopped = true;
        clearInterval(timer);
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    void poll();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [url]);
}
