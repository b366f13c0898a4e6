'use client';
import { useEffect, useRef } from 'react';

// Long enough for a screen reader to pick the text up; then it goes, so the virtual cursor never meets a stale
// copy of a message that is also on the page.
const CLEAR_AFTER_MS = 1500;
const VISUALLY_HIDDEN =
  'position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0';

let region: HTMLElement | null = null;
const hosts = new WeakSet<Element>();

/**
 * The page's one live region: form outcomes and sync progress are read out from here, so each message is
 * announced once, whichever form or widget produced it. (role="status", not "alert": Next's route announcer
 * already has that role.) It lives in a closed shadow root: assistive technology reads it, but the copy of a
 * message it holds is not part of the page's text (find in page, text lookups) next to the visible one.
 */
export function LiveRegion() {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element || hosts.has(element)) return;
    hosts.add(element);
    const live = document.createElement('div');
    live.setAttribute('role', 'status');
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('aria-atomic', 'true');
    // Through CSSOM, not a style attribute: the page CSP refuses inline style attributes, not style properties
    // set from script (https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Content-Security-Policy/style-src).
    live.style.cssText = VISUALLY_HIDDEN;
    element.attachShadow({ mode: 'closed' }).append(live);
    region = live;
  }, []);
  return <div ref={host} data-live-region />;
}

let clearing: number | undefined;

/** Reads `text` out through the live region; the same text twice in a row is read twice. */
export function announce(text: string): void {
  const live = region;
  if (!live || !text) return;
  window.clearTimeout(clearing);
  live.textContent = '';
  window.setTimeout(() => {
    live.textContent = text;
    clearing = window.setTimeout(() => (live.textContent = ''), CLEAR_AFTER_MS);
  }, 50);
}
