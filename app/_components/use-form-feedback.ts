'use client';
import { useEffect, useRef } from 'react';
import { announce } from '@/app/_components/live-region';

interface Outcome {
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
}

/**
 * After each answer of a form's action: focus moves to the first invalid field (its label and error are read
 * out with it), and the form-level message is announced. The returned ref goes on the <form>.
 */
export function useFormFeedback<T extends Outcome>(state: T) {
  const form = useRef<HTMLFormElement>(null);
  const previous = useRef(state);
  useEffect(() => {
    if (previous.current === state) return;
    previous.current = state;
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (invalid) invalid.focus();
    if (state.message) announce(state.message);
  }, [state]);
  return form;
}
