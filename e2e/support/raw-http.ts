/**
 * HTTP/1.1 over a bare socket: the request line and headers go out byte for byte, so a test can send what fetch and
 * node:http refuse or normalise (`..%2f` segments, CR LF or raw UTF-8 in a header, a 16 KB Authorization).
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export async function rawRequest(
  baseUrl: string,
  request: {
    method?: string;
    target: string;
    headers?: ReadonlyArray<readonly [string, string]>;
    /** Sent as is after the headers (framing such as chunked encoding is the caller's). */
    body?: string;
  },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const head = [`${request.method ?? 'GET'} ${request.target} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close'];
  for (const [name, value] of request.headers ?? []) head.push(`${name}: ${value}`);
  const bytes = Buffer.from(`${head.join('\r\n')}\r\n\r\n${request.body ?? ''}`, 'utf8');
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    // Written, not ended: a half-closed socket makes Node's server drop the connection before it answers.
    const socket = connect(Number(url.port), url.hostname, () => socket.write(bytes));
    socket.setTimeout(60_000, () => socket.destroy(new Error(`No answer to ${request.target.slice(0, 80)}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  return parseResponse(raw);
}

function parseResponse(raw: Buffer): RawResponse {
  // Closed without a word: reported as status 0, which no check accepts.
  if (raw.length === 0) return { status: 0, headers: {}, body: raw };
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`Not an HTTP response: ${JSON.stringify(raw.subarray(0, 120).toString('latin1'))}`);
  const [statusLine = '', ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = raw.subarray(end + 4);
  return { status, headers, body: headers['transfer-encoding']?.includes('chunked') ? dechunk(rest) : rest };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    const lineEnd = data.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
