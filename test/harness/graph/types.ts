/** One Graph request and its answer, shared by the HTTP server and `$batch` (which runs requests in-process). */
export interface GraphRequest {
  method: string;
  /** Path and query below the host, e.g. `/v1.0/users/a@b/mailFolders`. */
  url: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface GraphResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON value, raw bytes, or nothing (202, 204). */
  body?: unknown;
  raw?: Buffer;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'content-type': 'application/json; odata.metadata=minimal', ...headers }, body };
}
