/**
 * `POST /v1.0/$batch` (https://learn.microsoft.com/en-us/graph/json-batching): at most 20 requests (more: 400
 * "Number of requests exceeds the limit of 20."), each `{ id, method, url, headers?, body?, dependsOn? }` with a URL
 * relative to the version; responses carry the same id. A request whose dependency failed is not run and answers
 * 424 Failed Dependency. A JSON body is passed on as JSON; a string body is passed as is (base64 MIME for sendMail).
 * As Graph does:
 * - without dependsOn the requests run in no set order and "responses to the batched requests might appear in a
 *   different order" (json-batching page; the id is what correlates them): the stand-in runs them four at a time,
 *   as "Microsoft Graph dispatches up to four individual requests from a batch to the Outlook service
 *   simultaneously" (https://learn.microsoft.com/en-us/answers/questions/1660054, a Microsoft answer), and lists
 *   the responses in the reverse of the requests' order, so a client relying on order fails here;
 * - each request is throttled on its own: the envelope answers 200 and a throttled request carries its own 429
 *   and Retry-After (https://learn.microsoft.com/en-us/answers/questions/5529013: "each sub-request is processed
 *   independently");
 * - a body that is not JSON (a message's `$value`) comes back as a base64 string, by design
 *   (https://learn.microsoft.com/en-us/answers/questions/1352007; the json-batching page shows JSON bodies only).
 */
import { GraphError } from './errors';
import { json, type GraphRequest, type GraphResponse } from './types';

export const MAX_BATCH = 20;
const CONCURRENT = 4;

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
  const run = async (item: BatchItem): Promise<Record<string, unknown>> => {
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
    return {
      id: item.id,
      status: answer.status,
      headers: answer.headers,
      // Binary answers ($value) come back base64-encoded inside the JSON batch response.
      ...(answer.raw
        ? { body: answer.raw.toString('base64') }
        : answer.body !== undefined
          ? { body: answer.body }
          : {}),
    };
  };
  if (items.every((item) => !item.dependsOn?.length)) return json(200, { responses: await unordered(items, run) });
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
    const response = await run(item);
    statuses.set(item.id, response.status as number);
    responses.push(response);
  }
  return json(200, { responses });
}

/** Four at a time; the answers listed in the reverse of the requests' order. */
async function unordered(
  items: BatchItem[],
  run: (item: BatchItem) => Promise<Record<string, unknown>>,
): Promise<Array<Record<string, unknown>>> {
  const answers: Array<Record<string, unknown>> = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      answers[index] = await run(items[index] as BatchItem);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT, items.length) }, worker));
  return answers.reverse();
}
