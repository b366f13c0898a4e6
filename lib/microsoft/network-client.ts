import 'server-only';
import { AuthError, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';

/**
 * msal-node's own client sets no timeout on token requests, so a stalled token endpoint holds a sync run (and
 * its lease) for as long as fetch waits: five minutes for response headers. Microsoft answers in about a second;
 * waiting this long is already generous.
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

/** msal's network module with a bounded wait; a timeout or a refused connection is msal's `network_error`. */
export function timedNetworkClient(timeoutMs = TOKEN_REQUEST_TIMEOUT_MS): INetworkModule {
  const send = async <T>(
    url: string,
    method: 'GET' | 'POST',
    options: NetworkRequestOptions | undefined,
    timeout: number,
  ): Promise<NetworkResponse<T>> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        signal: AbortSignal.timeout(timeout),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${Math.round(timeout / 1000)} s` : networkReason(error);
      throw new AuthError('network_error', '', `The token request failed: ${reason}`);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => (headers[key] = value));
    try {
      return { headers, body: keepRetryAfter((await response.json()) as T, response), status: response.status };
    } catch {
      // As msal's own client does; the status goes with it for the explainer (a gateway's HTML error page).
      throw Object.assign(
        new AuthError('token_parsing_error', '', `The token endpoint answered HTTP ${response.status} without JSON.`),
        { status: response.status },
      );
    }
  };
  return {
    sendGetRequestAsync: (url, options, timeout) =>
      send(url, 'GET', options, Math.min(timeout ?? timeoutMs, timeoutMs)),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options, timeoutMs),
  };
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'unknown';
}

/**
 * msal builds its error from the body alone and drops the headers, so a throttled token request (429 or 503 with
 * Retry-After) would lose the wait Microsoft asked for: the header is appended to the error's description, where
 * the explainer reads it, and the HTTP status is kept on the body as msal's ServerError expects.
 */
function keepRetryAfter<T>(body: T, response: Response): T {
  if (response.ok || typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  record.status ??= response.status;
  const retryAfter = response.headers.get('retry-after');
  if (retryAfter && typeof record.error_description === 'string')
    record.error_description = `${record.error_description}\r\nRetry-After: ${retryAfter}\r\n`;
  return body;
}
