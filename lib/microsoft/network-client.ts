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
  const send = async <T>(url: string, method: 'GET' | 'POST', options: NetworkRequestOptions | undefined, timeout: number): Promise<NetworkResponse<T>> => {
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
      return { headers, body: (await response.json()) as T, status: response.status };
    } catch {
      // As msal's own client does; the status goes with it for the explainer (a gateway's HTML error page).
      throw Object.assign(new AuthError('token_parsing_error', '', `The token endpoint answered HTTP ${response.status} without JSON.`), { status: response.status });
    }
  };
  return {
    sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, Math.min(timeout ?? timeoutMs, timeoutMs)),
    sendPostRequestAsync: (url, options) => send(url, 'POST', options, timeoutMs),
  };
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'unknown';
}
