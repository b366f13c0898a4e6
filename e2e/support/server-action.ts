/**
 * Calls a server action the way a `useActionState` form does (multipart fields prefixed `_1_`, the previous state
 * as argument), but with any field values at all: a hostile POST needs no browser. Action ids come from the build.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';

export interface ActionAnswer {
  status: number;
  /** The value the action returned (its form state), when it returned one. */
  state: Record<string, unknown> | undefined;
  /** Where the action sent the browser, when it redirected. */
  redirect: string | undefined;
  text: string;
}

export interface ManifestEntry {
  filename: string;
  exportedName: string;
  /** The pages whose bundles hold the action, e.g. app/(console)/audit/page. */
  workers: Record<string, unknown>;
}

/** action id → its entry in the build's manifest, for the actions under app/. */
export function appActions(): Map<string, ManifestEntry> {
  const manifest = JSON.parse(
    readFileSync(path.join(process.cwd(), '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, ManifestEntry> };
  return new Map(Object.entries(manifest.node).filter(([, entry]) => entry.filename.startsWith('app/')));
}

/** exportedName → action id, for the actions under app/. */
export function serverActionIds(): Map<string, string> {
  return new Map([...appActions()].map(([id, entry]) => [entry.exportedName, id]));
}

/** The multipart body a `useActionState` form sends: the previous state, then the form's fields. */
export function actionForm(actionId: string, fields: ReadonlyArray<readonly [string, string]>): FormData {
  const form = new FormData();
  form.append('_1_$ACTION_REF_1', '');
  form.append('_1_$ACTION_1:0', JSON.stringify({ id: actionId, bound: '$@1' }));
  form.append('_1_$ACTION_1:1', '[{"ok":false}]');
  form.append('_1_$ACTION_KEY', 'k0');
  for (const [name, value] of fields) form.append(`_1_${name}`, value);
  form.append('0', '[{"ok":false},"$K1"]');
  return form;
}

export async function callServerAction(
  request: APIRequestContext,
  pagePath: string,
  actionId: string,
  fields: ReadonlyArray<readonly [string, string]>,
  /** E.g. an Origin, as a browser on another site would send it. */
  extraHeaders: Record<string, string> = {},
): Promise<ActionAnswer> {
  const response = await request.post(pagePath, {
    multipart: actionForm(actionId, fields),
    headers: { 'next-action': actionId, accept: 'text/x-component', ...extraHeaders },
    maxRedirects: 0,
  });
  const body = await response.body();
  const headers = response.headers();
  return {
    status: response.status(),
    state: returnedState(body),
    redirect: headers['x-action-redirect'] ?? headers.location,
    text: body.toString('utf8'),
  };
}

/**
 * The flight row `1:{...}` that carries the action's return value. Rows end with a newline, except text rows
 * (`<id>:T<hex byte length>,<text>`), which hold long strings such as an echoed 16 KB value and end by length.
 */
function returnedState(body: Buffer): Record<string, unknown> | undefined {
  let offset = 0;
  while (offset < body.length) {
    const colon = body.indexOf(':', offset);
    if (colon < 0) break;
    const id = body.subarray(offset, colon).toString('latin1');
    const text = /^T([0-9a-f]+),/.exec(body.subarray(colon + 1, colon + 20).toString('latin1'));
    if (text?.[1]) {
      offset = colon + 1 + text[0].length + Number.parseInt(text[1], 16);
      continue;
    }
    const end = body.indexOf('\n', colon);
    const row = body.subarray(colon + 1, end < 0 ? body.length : end).toString('utf8');
    offset = end < 0 ? body.length : end + 1;
    if (id !== '1' || !row.startsWith('{')) continue;
    try {
      return JSON.parse(row) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The words an action's answer shows the admin: message, hint and field errors (not the echoed input). */
export function shownText(state: Record<string, unknown> | undefined): string[] {
  if (!state) return [];
  const errors = Object.values((state.fieldErrors ?? {}) as Record<string, string[] | undefined>).flatMap(
    (list) => list ?? [],
  );
  return [state.message, state.hint, ...errors].filter((value): value is string => typeof value === 'string');
}
