/**
 * A bare HTTP server on loopback calling a route handler (an app/api route's exported POST): what the Graph
 * stand-in needs to reach the product's webhook in a test, without `next start`. Only the content type is passed
 * on from the request's headers, as the handlers read nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RouteServer {
  /** The origin, `http://127.0.0.1:<port>`. */
  url: string;
  close(): Promise<void>;
}

export async function serveRoute(handler: (request: Request) => Promise<Response>): Promise<RouteServer> {
  let origin = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = new Request(new URL(req.url ?? '/', origin), {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      void handler(request).then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
