import 'server-only';
import type { z } from 'zod';
import { suggestedWaitMs } from '@/lib/microsoft/error-text';
import { failureFromResponse, GraphFailure } from '@/lib/microsoft/graph/failure';
import { MailboxLimiter } from '@/lib/microsoft/graph/mailbox-limiter';

/** The app's (or the mailbox's) Graph access token; `forceRefresh` after Graph refused the cached one. */
export type GraphTokenSource = (options: { forceRefresh: boolean }) => Promise<string>;

export interface GraphClientOptions {
  /** `CloudEndpoints.graphBaseUrl`: the cloud's Graph origin or the configured override. */
  baseUrl: string;
  token: GraphTokenSource;
  /** Retries of one request answered 429/503 before it fails as `throttled`. */
  maxRetries?: number;
  /** A Retry-After longer than this is not slept through: the request fails `throttled` with the wait. */
  maxWaitMs?: number;
  timeoutMs?: number;
  limiter?: MailboxLimiter;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface GraphRequest {
  /** The mailbox the request touches (user id or address): the unit Outlook's concurrency limit counts. */
  mailbox: string;
  headers?: Record<string, string>;
}

export interface GraphClient {
  /** GET returning JSON, validated against `schema`; `path` under /v1.0, or a nextLink/deltaLink Graph gave. */
  json<T>(path: string, schema: z.ZodType<T>, request: GraphRequest): Promise<T>;
  /** GET returning the body's bytes (a message's `$value`). */
  raw(path: string, request: GraphRequest): Promise<Buffer>;
  /** POST of `body` (with its content type); resolves with the 2xx status, throws GraphFailure otherwise. */
  post(path: string, body: GraphBody, request: GraphRequest): Promise<number>;
  /** POST or PATCH of a JSON body answered with JSON (a subscription), validated against `schema`. */
  sendJson<T>(
    method: 'POST' | 'PATCH',
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
    request: GraphRequest,
  ): Promise<T>;
  /** PATCH of a JSON body (a message's `isRead`); throws GraphFailure on a non-2xx answer. */
  patch(path: string, body: unknown, request: GraphRequest): Promise<void>;
  /** DELETE of one item; throws GraphFailure on a non-2xx answer (`not_found` when it is gone already). */
  delete(path: string, request: GraphRequest): Promise<void>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface GraphBody {
  contentType: string;
  bytes: Buffer;
}

const DEFAULT_RETRIES = 4;
const DEFAULT_MAX_WAIT_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Without Retry-After Microsoft asks for exponential backoff (https://learn.microsoft.com/en-us/graph/throttling). */
const FIRST_BACKOFF_MS = 1_000;

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const origin = new URL(options.baseUrl).origin;
  const limiter = options.limiter ?? new MailboxLimiter();
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxRetries = options.maxRetries ?? DEFAULT_RETRIES;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;

  const resolve = (path: string): string => {
    if (!/^https?:\/\//i.test(path)) return `${origin}/v1.0${path.startsWith('/') ? '' : '/'}${path}`;
    // nextLink and deltaLink are absolute; the bearer token only ever goes to the configured Graph origin.
    if (new URL(path).origin !== origin)
      throw new GraphFailure('invalid_response', 'foreign_link', 'Graph link to another origin');
    return path;
  };

  const attempt = async (
    url: string,
    request: GraphRequest,
    forceRefresh: boolean,
    method: Method,
    body?: GraphBody,
  ) => {
    const token = await options.token({ forceRefresh });
    return limiter.run(request.mailbox, async () => {
      let response: Response;
      try {
        const content: Record<string, string> = body ? { 'content-type': body.contentType } : {};
        response = await doFetch(url, {
          method,
          headers: { ...request.headers, ...content, authorization: `Bearer ${token}` },
          body: body ? new Uint8Array(body.bytes) : undefined,
          signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        });
        return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : networkReason(error);
        throw new GraphFailure('network', 'network', `The Graph request failed: ${reason}`);
      }
    });
  };

  /**
   * One request with Graph's retry rules: 429 and 503 wait for Retry-After (seconds) and try again
   * (https://learn.microsoft.com/en-us/graph/throttling, "Best practices to handle throttling"; 503 "may be
   * repeated after a delay, the length of which may be specified in a Retry-After header",
   * https://learn.microsoft.com/en-us/graph/errors); a 401 gets one fresh token. A 429 means Graph
   * refused the request instead of carrying it out ("limits any further requests", throttling page), so a throttled
   * sendMail is posted again without sending a second copy. A POST answered 503 is not: the docs do not say the
   * request was left undone, and a second sendMail could deliver the message twice (stricter where they are silent).
   * PATCH of `isRead` and DELETE are idempotent (https://learn.microsoft.com/en-us/graph/api/message-update,
   * https://learn.microsoft.com/en-us/graph/api/message-delete): done twice, the mailbox is as after once, so a 503
   * is retried for them as for a GET.
   */
  const call = async (path: string, request: GraphRequest, method: Method = 'GET', body?: GraphBody) => {
    const url = resolve(path);
    let refreshed = false;
    for (let retry = 0; ; retry += 1) {
      const answer = await attempt(url, request, refreshed, method, body);
      if (answer.status >= 200 && answer.status < 300) return answer;
      const bodyText = answer.body.toString('utf8');
      if (answer.status === 401 && !refreshed) {
        refreshed = true;
        continue;
      }
      const throttled = answer.status === 429 || (answer.status === 503 && method !== 'POST');
      const wait = throttled
        ? (suggestedWaitMs('', answer.headers.get('retry-after') ?? undefined) ?? FIRST_BACKOFF_MS * 2 ** retry)
        : undefined;
      if (wait === undefined || retry >= maxRetries || wait > maxWaitMs)
        throw failureFromResponse(answer.status, bodyText, wait);
      await sleep(wait);
    }
  };

  return {
    async json<T>(path: string, schema: z.ZodType<T>, request: GraphRequest): Promise<T> {
      return parseJson((await call(path, request)).body, schema);
    },
    async sendJson(method, path, body, schema, request) {
      const bytes = Buffer.from(JSON.stringify(body));
      return parseJson((await call(path, request, method, { contentType: 'application/json', bytes })).body, schema);
    },
    raw: async (path, request) => (await call(path, request)).body,
    post: async (path, body, request) => (await call(path, request, 'POST', body)).status,
    async patch(path, body, request) {
      const bytes = Buffer.from(JSON.stringify(body));
      await call(path, request, 'PATCH', { contentType: 'application/json', bytes });
    },
    async delete(path, request) {
      await call(path, request, 'DELETE');
    },
  };
}

function parseJson<T>(body: Buffer, schema: z.ZodType<T>): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new GraphFailure('invalid_response', 'not_json', 'Graph answered without JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success)
    throw new GraphFailure('invalid_response', 'unexpected_shape', 'Graph’s answer has an unexpected shape');
  return result.data;
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'unknown';
}
