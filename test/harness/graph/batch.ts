/**
 * `POST /v1.0/$batch` (https://learn.microsoft.com/en-us/graph/json-batching): at most 20 requests (more: 400
 * "Number of requests exceeds the limit of 20."), each `{ id, method, url, headers?, body?, dependsOn? }` with a URL
 * relative to the version; responses carry the same id. A request whose dependency failed is not run and answers
 * 424 Failed Dependency. Request order without dependsOn is unspecified at Graph; the stand-in runs them in order.
 * A JSON body is passed on as JSON; a string body is passed as is (base64 MIME for sendMail).
 */
import { GraphError } from './errors';
import { json, type GraphRequest, type GraphResponse } from './types';

export const MAX_BATCH = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export async function runBatch(
  request: GraphRequest,
  handle: (inner: GraphRequest) => Promise<GraphResponse>,
): Promise<GraphResponse> {
  let parsed: { requests?: BatchItem[] };
  try {
    parsed = JSON.parse(request.body.toString('utf8')) as { requests?: BatchItem[] };
  } catch {
    throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
  }
  const items = parsed.requests ?? [];
  if (!Array.isArray(items) || items.length === 0)
    throw new GraphError(400, 'BadRequest', 'Invalid batch payload format.');
  if (items.length > MAX_BATCH) {
    throw new GraphError(400, 'BadRequest', `Number of requests exceeds the limit of ${MAX_BATCH}.`);
  }
  const statuses = new Map<string, number>();
  const responses: Array<Record<string, unknown>> = [];
  for (const item of items) {
    const failed = (item.dependsOn ?? []).find((dep) => (statuses.get(dep) ?? 424) >= 400);
    if (failed !== undefined) {
      statuses.set(item.id, 424);
      responses.push({
        id: item.id,
        status: 424,
        headers: { 'content-type': 'application/json' },
        body: new GraphError(424, 'FailedDependency', 'The request failed due to failure of a previous request.').body(
          undefined,
        ),
      });
      continue;
    }
    const body =
      item.body === undefined
        ? Buffer.alloc(0)
        : Buffer.from(typeof item.body === 'string' ? item.body : JSON.stringify(item.body));
    const headers = Object.fromEntries(Object.entries(item.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const answer = await handle({
      method: item.method.toUpperCase(),
      url: `/v1.0${item.url.startsWith('/') ? '' : '/'}${item.url}`,
      headers: { ...headers, authorization: request.headers.authorization },
      body,
    });
    statuses.set(item.id, answer.status);
    responses.push({
      id: item.id,
      status: answer.status,
      headers: answer.headers,
      // Binary answers ($value) come back base64-encoded inside the JSON batch response.
      ...(answer.raw
        ? { body: answer.raw.toString('base64') }
        : answer.body !== undefined
          ? { body: answer.body }
          : {}),
    });
  }
  return json(200, { responses });
}
