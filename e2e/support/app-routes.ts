import { randomInt, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type postgres from 'postgres';

const APP_DIR = path.join(process.cwd(), 'app');
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface AppEntry {
  kind: 'page' | 'route';
  /** The file, relative to the project, e.g. app/(console)/messages/[id]/page.tsx. */
  file: string;
  /** The URL pattern with route groups removed, e.g. /messages/[id]. */
  pattern: string;
  /** Pages: GET only; route handlers: every HTTP method the file exports. */
  methods: string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** `export async function GET`, `export const GET =` and `export const { GET, POST } = handlers`. */
export function exportedMethods(source: string): string[] {
  const found = new Set<string>();
  for (const match of source.matchAll(/export\s+(?:async\s+)?function\s+([A-Z]+)\b|export\s+const\s+([A-Z]+)\s*=/g))
    found.add(match[1] ?? match[2] ?? '');
  for (const match of source.matchAll(/export\s+const\s+\{([^}]*)\}\s*=/g)) {
    for (const name of (match[1] ?? '').split(',')) found.add(name.split(':').pop()?.trim() ?? '');
  }
  return HTTP_METHODS.filter((method) => found.has(method));
}

/** Every page and route handler under app/, read at test time: a new one is checked the day it is added. */
export function appEntries(): AppEntry[] {
  return filesUnder(APP_DIR)
    .filter((file) => /\/(page\.tsx|route\.ts)$/.test(file))
    .map((file) => {
      const relative = path.relative(APP_DIR, file);
      const segments = path
        .dirname(relative)
        .split(path.sep)
        .filter((segment) => segment !== '.' && !/^\(.*\)$/.test(segment));
      const kind = relative.endsWith('page.tsx') ? 'page' : 'route';
      return {
        kind,
        file: path.join('app', relative),
        pattern: `/${segments.join('/')}`,
        methods: kind === 'page' ? ['GET'] : exportedMethods(readFileSync(file, 'utf8')),
      } satisfies AppEntry;
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Fills `[name]` and `[...name]` segments; throws when `valueOf` has none for one (the test must add it). */
export function fillPattern(
  pattern: string,
  valueOf: (segment: string, pattern: string) => string | undefined,
): string {
  return pattern.replace(/\[(?:\.\.\.)?([^\]]+)\]/g, (_, name: string) => {
    const value = valueOf(name, pattern);
    if (value === undefined)
      throw new Error(`no value for the dynamic segment [${name}] of ${pattern}: add one to the test`);
    return value;
  });
}

export type SegmentValues = (segment: string, pattern: string, method: string) => string | undefined;

/**
 * Values for the app's dynamic segments: real ids from the e2e world where it has them (a message with parts,
 * a finished flow), else valid-looking random ones, so a refusal is never just a 404 for a malformed id.
 */
export async function worldSegmentValues(sql: postgres.Sql): Promise<SegmentValues> {
  const [account] = await sql<{ id: string }[]>`select id from mail_accounts order by created_at limit 1`;
  const [flow] = await sql<
    { id: string }[]
  >`select id from oauth_flows where outcome is not null order by created_at limit 1`;
  // A part of a message with an HTML body when there is one, so the body route has a body to serve (the hostile
  // corpus has text-only messages with parts, and may be the only mail when specs run by tag).
  const [part] = await sql<
    { id: string; messageId: string }[]
  >`select a.id, a.message_id as "messageId" from attachments a
    join messages m on m.id = a.message_id order by (m.html is null), a.id limit 1`;
  const [message] = await sql<{ id: string }[]>`select id from messages where html is not null order by id limit 1`;
  const ids = {
    account: account?.id ?? randomUUID(),
    flow: flow?.id ?? randomUUID(),
    message: String(part?.messageId ?? message?.id ?? randomInt(1e6, 1e9)),
    attachment: String(part?.id ?? randomInt(1e6, 1e9)),
  };
  return (segment, pattern, method) => {
    if (segment === 'nextauth') return method === 'GET' ? 'session' : 'callback/credentials';
    if (segment === 'flowId') return ids.flow;
    if (segment === 'missing') return 'no-such-page/below';
    if (segment === 'attachmentId') return ids.attachment;
    // An invitation link's token: one of the right shape that no invitation has.
    if (segment === 'token') return 'T'.repeat(43);
    if (segment === 'id' && /^\/(channels\/microsoft365\/accounts|api\/v1\/accounts)\//.test(pattern))
      return ids.account;
    if (segment === 'id' && /^\/(messages|api\/v1\/messages)\//.test(pattern)) return ids.message;
    return undefined;
  };
}
