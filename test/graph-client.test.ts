import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGraphClient } from '@/lib/microsoft/graph/client';

const BASE = 'https://graph.example.test';
const ok = z.object({ ok: z.boolean() });

/** A Graph that answers from a script; records what it was asked. */
function scripted(answers: Array<() => Response>) {
  const seen: Array<{ url: string; authorization: string | null }> = [];
  const fetchStub: typeof fetch = async (input, init) => {
    seen.push({ url: String(input), authorization: new Headers(init?.headers).get('authorization') });
    const next = answers.shift();
    if (!next) throw new Error('unexpected request');
    return next();
  };
  return { seen, fetchStub };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('Graph client', () => {
  it('backs off exponentially on a 503 without Retry-After, then returns the validated answer', async () => {
    const waits: number[] = [];
    const { seen, fetchStub } = scripted([
      json(503, { error: { code: 'serviceNotAvailable', message: 'busy' } }),
      json(503, { error: { code: 'serviceNotAvailable', message: 'busy' } }),
      json(200, { ok: true }),
    ]);
    const graph = createGraphClient({
      baseUrl: BASE,
      token: async () => 't1',
      fetch: fetchStub,
      sleep: async (ms) => void waits.push(ms),
    });
    await expect(graph.json('/users/a/mailFolders', ok, { mailbox: 'a' })).resolves.toEqual({ ok: true });
    expect(waits).toEqual([1000, 2000]);
    expect(seen[0]).toEqual({ url: `${BASE}/v1.0/users/a/mailFolders`, authorization: 'Bearer t1' });
  });

  it('posts again after a 429 but not after a 503, which may have sent the message already', async () => {
    const waits: number[] = [];
    const { seen, fetchStub } = scripted([
      json(429, { error: { code: 'ApplicationThrottled', message: 'slow down' } }, { 'retry-after': '2' }),
      () => new Response(null, { status: 202 }),
      json(503, { error: { code: 'serviceNotAvailable', message: 'busy' } }),
    ]);
    const graph = createGraphClient({
      baseUrl: BASE,
      token: async () => 't',
      fetch: fetchStub,
      sleep: async (ms) => void waits.push(ms),
    });
    const mime = { contentType: 'text/plain', bytes: Buffer.from('TUlNRQ==') };
    await expect(graph.post('/users/a/sendMail', mime, { mailbox: 'a' })).resolves.toBe(202);
    expect(waits).toEqual([2000]);
    await expect(graph.post('/users/a/sendMail', mime, { mailbox: 'a' })).rejects.toMatchObject({
      details: { status: 503 },
    });
    expect(seen).toHaveLength(3);
  });

  it('asks for a fresh token once after a 401, and fails typed when that one is refused too', async () => {
    const refreshes: boolean[] = [];
    const token = async ({ forceRefresh }: { forceRefresh: boolean }) => {
      refreshes.push(forceRefresh);
      return forceRefresh ? 'fresh' : 'stale';
    };
    const refused = json(401, { error: { code: 'InvalidAuthenticationToken', message: 'expired' } });
    const { seen, fetchStub } = scripted([refused, json(200, { ok: true }), refused, refused]);
    const graph = createGraphClient({ baseUrl: BASE, token, fetch: fetchStub });
    await expect(graph.json('/x', ok, { mailbox: 'a' })).resolves.toEqual({ ok: true });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer stale', 'Bearer fresh']);
    await expect(graph.json('/x', ok, { mailbox: 'a' })).rejects.toMatchObject({
      kind: 'unauthorized',
      code: 'InvalidAuthenticationToken',
    });
    expect(refreshes).toEqual([false, true, false, true]);
  });

  it('refuses a 200 whose body is not the documented shape, and a Retry-After longer than a run may wait', async () => {
    const { fetchStub } = scripted([
      json(200, { value: 'unexpected' }),
      () => new Response('<html>gateway</html>', { status: 200 }),
      json(429, { error: { code: 'ApplicationThrottled', message: 'slow down' } }, { 'retry-after': '600' }),
    ]);
    const graph = createGraphClient({ baseUrl: BASE, token: async () => 't', fetch: fetchStub });
    await expect(graph.json('/x', ok, { mailbox: 'a' })).rejects.toMatchObject({ kind: 'invalid_response' });
    await expect(graph.json('/x', ok, { mailbox: 'a' })).rejects.toMatchObject({ code: 'not_json' });
    await expect(graph.json('/x', ok, { mailbox: 'a' })).rejects.toMatchObject({
      kind: 'throttled',
      details: { status: 429, retryAfterMs: 600_000 },
    });
  });

  it('reports a refused connection as a network failure without the token in its message', async () => {
    const graph = createGraphClient({ baseUrl: 'http://127.0.0.1:1', token: async () => 'secret-token' });
    const error = await graph.raw('/x', { mailbox: 'a' }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ kind: 'network' });
    expect(error.message).not.toContain('secret-token');
  });
});
