'use client';

const LIVE_REGION_ID = 'live-region';

/**
 * The page's one live region: form outcomes and sync progress are read out from here, so each message is
 * announced once, whichever form or widget produced it. (role="status", not "alert": Next's route announcer
 * already has that role.)
 */
export function LiveRegion() {
  return <div id={LIVE_REGION_ID} role="status" aria-live="polite" aria-atomic="true" className="sr-only" />;
}

/** Reads `text` out through the live region; the same text twice in a row is read twice. */
export function announce(text: string): void {
  const region = document.getElementById(LIVE_REGION_ID);
  if (!region || !text) return;
  region.textContent = '';
  window.setTimeout(() => (region.textContent = text), 50);
}
