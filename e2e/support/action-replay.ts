import type { APIRequestContext, APIResponse } from '@playwright/test';
import { fillPattern, type SegmentValues } from './app-routes';
import { actionForm, appActions, type ManifestEntry } from './server-action';

// Public by design: signing in, the first-run set-up (which closes itself once an admin exists), and accepting an
// invitation (its link's single-use token is the credential).
const PUBLIC_ACTIONS = new Set(['signInWithPassword', 'createFirstAdmin', 'acceptAdminInvite']);

/** A server-action request as a browser sends it: where, which headers, and the raw body (base64). */
export interface ActionCall {
  id: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The console's server actions, read from the build (so a new one is found without editing a list). */
export function consoleActions(): Map<string, ManifestEntry> {
  return new Map([...appActions()].filter(([, entry]) => !PUBLIC_ACTIONS.has(entry.exportedName)));
}

/** The URL pattern of a page worker: `app/(console)/messages/[id]/page` → `/messages/[id]`. */
function pagePattern(worker: string): string {
  const segments = worker
    .replace(/^app\//, '')
    .replace(/\/?page$/, '')
    .split('/')
    .filter((segment) => segment && !/^\(.*\)$/.test(segment));
  return `/${segments.join('/')}`;
}

/**
 * One call per console action, as its form sends it (the `useActionState` shape: the previous state and the form's
 * fields, here none), posted to a page whose bundle holds it, with the dynamic segments filled from `valueOf`.
 * A refusal must not depend on what the fields say: the session is checked before anything is read.
 */
export async function consoleActionCalls(baseUrl: string, valueOf: SegmentValues): Promise<Map<string, ActionCall>> {
  const calls = new Map<string, ActionCall>();
  for (const [id, entry] of consoleActions()) {
    // A page without dynamic segments when the action has one, else the first.
    const workers = Object.keys(entry.workers).sort((a, b) => Number(a.includes('[')) - Number(b.includes('[')));
    const worker = workers[0];
    if (!worker) throw new Error(`${entry.filename}#${entry.exportedName} is on no page`);
    const url = new URL(
      fillPattern(pagePattern(worker), (segment, pattern) => valueOf(segment, pattern, 'GET')),
      baseUrl,
    );
    const request = new Request(url, { method: 'POST', body: actionForm(id, []) });
    calls.set(id, {
      id,
      url: url.toString(),
      headers: {
        'next-action': id,
        accept: 'text/x-component',
        'content-type': request.headers.get('content-type') ?? '',
        origin: new URL(baseUrl).origin,
      },
      body: Buffer.from(await request.arrayBuffer()).toString('base64'),
    });
  }
  return calls;
}

/**
 * Sends an action call as it is, minus any cookie; `headers` replaces or adds headers (a session cookie, a forged
 * one, a foreign Origin). Redirects are not followed: where the action sends the caller matters.
 */
export function replayAction(
  request: APIRequestContext,
  call: ActionCall,
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
