/** HTTP helpers the Graph stand-in tests share: an app-only or delegated token, and a call returning status + body. */
import type { Harness } from './fixture';

export const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default';

export interface GraphAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
  bytes: Buffer;
}

export async function appToken(
  harness: Harness,
  app: { clientId: string; clientSecret: string },
  tenant: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${harness.emulator.url}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      scope: GRAPH_DEFAULT,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function graphCall(
  harness: Harness,
  token: string | undefined,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<GraphAnswer> {
  const url = path.startsWith('http') ? path : `${harness.graph.url}/v1.0${path}`;
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
    body: init.body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return {
    status: response.status,
    headers: response.headers,
    body: isJson && bytes.length > 0 ? (JSON.parse(bytes.toString('utf8')) as GraphAnswer['body']) : {},
    bytes,
  };
}
