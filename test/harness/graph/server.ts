/**
 * The Microsoft Graph mail stand-in: an HTTP server on loopback that answers as `https://graph.microsoft.com`
 * does for the mail endpoints the product uses, over the same maildirs Dovecot serves, with tokens issued by the
 * identity emulator (its state is shared in-process). Each request: throttle switch, bearer token, route.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorState } from '../emulator/state';
import { LOOPBACK } from '../loopback';
import type { Maildirs } from '../maildir';
import { runBatch } from './batch';
import { DeltaTokens } from './delta';
import { GraphError } from './errors';
import { MailStore } from './mail-store';
import { mailRoute, type MailContext } from './mail-routes';
import { authenticate } from './principal';
import type { SendMailDelivery } from './send-mail';
import { Subscriptions } from './subscriptions';
import { ThrottleSwitch } from './throttle';
import type { GraphRequest, GraphResponse } from './types';

export interface GraphStandIn {
  url: string;
  port: number;
  throttle: ThrottleSwitch;
  delta: DeltaTokens;
  sent: SendMailDelivery['sent'];
  /** Change-notification subscriptions; `sendLifecycle` is the harness control for lifecycle notifications. */
  subscriptions: Subscriptions;
  /** Runs one request in-process (what `$batch` does); the HTTP server calls the same. */
  handle(request: GraphRequest): Promise<GraphResponse>;
  close(): Promise<void>;
}

export async function startGraph(options: {
  state: EmulatorState;
  maildirs: Maildirs;
  port?: number;
}): Promise<GraphStandIn> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${LOOPBACK}:${port}`;
  const throttle = new ThrottleSwitch();
  const delta = new DeltaTokens();
  const delivery: SendMailDelivery = { maildirs: options.maildirs, sent: [] };
  const store = new MailStore(options.maildirs);
  const subscriptions = new Subscriptions(options.state, store);
  const ctx: MailContext = {
    state: options.state,
    store,
    delta,
    delivery,
    baseUrl: url,
  };

  const handle = async (request: GraphRequest): Promise<GraphResponse> => {
    try {
      throttle.take(request);
      const path = new URL(request.url, url).pathname;
      if (request.method === 'POST' && path === '/v1.0/$batch') {
        authenticate(options.state, request.headers.authorization);
        return await runBatch(request, handle);
      }
      const principal = authenticate(options.state, request.headers.authorization);
      if (path.startsWith('/v1.0/subscriptions')) {
        const answer = await subscriptions.route(principal, request, path);
        if (answer) return answer;
      }
      // Graph's @odata.nextLink/deltaLink are absolute URLs to call as they are
      // (https://learn.microsoft.com/en-us/graph/paging); they name the host the client called (graph.microsoft.com
      // or a national cloud's), so here they point back through whatever the client reached the stand-in by.
      const host = request.headers.host;
      return await mailRoute(host ? { ...ctx, baseUrl: `http://${host}` } : ctx, principal, request);
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      return {
        status: error.status,
        headers: { 'content-type': 'application/json', ...error.headers },
        body: error.body(request.headers['client-request-id']),
      };
    }
  };

  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers))
        headers[key] = Array.isArray(value) ? value.join(', ') : value;
      handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks) })
        .then((answer) => {
          const body = answer.raw ?? (answer.body === undefined ? undefined : Buffer.from(JSON.stringify(answer.body)));
          res.writeHead(answer.status, answer.headers);
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'generalException', message: String(error) } }));
        });
    });
  });

  return {
    url,
    port,
    throttle,
    delta,
    sent: delivery.sent,
    subscriptions,
    handle,
    close: () =>
      new Promise<void>((resolve) => {
        subscriptions.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
