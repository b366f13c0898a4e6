'use client';

const LIVE_REGION_ID = 'live-region';
// Long enough for a screen reader to pick the text up; then it goes, so the virtual cursor never meets a stale
// copy of a message that is also on the page.
const CLEAR_AFTER_MS = 1500;

/**
 * The page's one live region: form outcomes and sync progress are read out from here, so each message is
 * announced once, whichever form or widget produced it. (role="status", not "alert": Next's route announcer
 * already has that role.)
 */
export function LiveRegion() {
  return <div id={LIVE_REGION_ID} role="status" aria-live="polite" aria-atomic="true" className="sr-only" />;
}

let clearing: number | undefined;

/** Reads `text` out through the live region; the same text twice in a row is read twice. */
export function announce(text: string): void {
  const region = document.getElementById(LIVE_REGION_ID);
  if (!region || !text) return;
  window.clearTimeout(clearing);
  region.textContent = '';
  window.setTimeout(() => {
    region.textContent = text;
    clearing = window.setTimeout(() => (region.textContent = ''), CLEAR_AFTER_MS);
  }, 50);
}
