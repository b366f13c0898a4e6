import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRequestContext, APIResponse } from '@playwright/test';
import { CAPTURED_ACTIONS, type CapturedAction } from './test';

// Public by design: signing in, the first-run set-up (which closes itself once an admin exists), and accepting an
// invitation (its link's single-use token is the credential).
const PUBLIC_ACTIONS = new Set(['signInWithPassword', 'createFirstAdmin', 'acceptAdminInvite']);

export interface ManifestEntry {
  filename: string;
  exportedName: string;
}

/** The console's server actions, read from the build (so a new one is found without editing a list). */
export function consoleActions(): Map<string, ManifestEntry> {
  const manifest = JSON.parse(
    readFileSync(path.join(process.cwd(), '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, ManifestEntry> };
  return new Map(
    Object.entries(manifest.node).filter(
      ([, entry]) => entry.filename.startsWith('app/') && !PUBLIC_ACTIONS.has(entry.exportedName),
    ),
  );
}

export function capturedActions(): CapturedAction[] {
  let text = '';
  try {
    text = readFileSync(CAPTURED_ACTIONS, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CapturedAction);
}

/** One captured request per console action that the specs so far have sent (the first one seen). */
export function consoleReplays(): Map<string, CapturedAction> {
  const actions = consoleActions();
  const replays = new Map<string, CapturedAction>();
  for (const call of capturedActions()) if (actions.has(call.id) && !replays.has(call.id)) replays.set(call.id, call);
  return replays;
}

/**
 * Sends a captured action again as it was, minus the browser's cookie; `headers` replaces or adds headers (a
 * forged session cookie, a foreign Origin). Redirects are not followed: where the action sends the caller matters.
 */
export function replayAction(
  request: APIRequestContext,
  call: CapturedAction,
  headers: Record<string, string> = {},
): Promise<APIResponse> {
  const { cookie: _cookie, ...captured } = call.headers;
  return request.post(call.url, {
    headers: { ...captured, ...headers },
    data: Buffer.from(call.body, 'base64'),
    maxRedirects: 0,
  });
}

/** Where an action's answer sends the browser: Next's action redirect header, or a plain Location. */
export function redirectOf(response: APIResponse): string {
  return response.headers()['x-action-redirect'] ?? response.headers().location ?? '';
}
