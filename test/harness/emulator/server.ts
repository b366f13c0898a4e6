/**
 * The identity emulator's HTTP server on 127.0.0.1: wires the routes, records every non-control request (so a test
 * can prove msal talked to nothing but the token endpoint) and turns unexpected failures into a 500.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZodError } from 'zod';
import { adminConsentRoutes } from './admin-consent';
import { AadError } from './aadsts';
import { authorizeRoutes } from './authorize';
import { controlRoutes } from './control';
import { discoveryRoutes } from './discovery';
import { matchRoute, readBody, sendHtml, sendJson, type Route } from './http';
import { introspectionRoutes } from './introspect';
import { SigningKey } from './keys';
import { errorPage } from './pages';
import { EmulatorState } from './state';
import { tokenRoutes } from './token';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Outlook resource spellings accepted in scopes; the first is the canonical one. */
  outlookResources?: string[];
  accessTokenLifetimeSeconds?: number;
  strictRefreshTokenRotation?: boolean;
}

export interface Emulator {
  url: string;
  port: number;
  state: EmulatorState;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const key = await SigningKey.generate();
  const server = createServer();
  await listen(server, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const url = `http://${LOOPBACK}:${port}`;
  const state = new EmulatorState(
    {
      baseUrl: url,
      outlookResources: options.outlookResources ?? ['https://outlook.office.com', 'https://outlook.office365.com'],
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3599,
      strictRefreshTokenRotation: options.strictRefreshTokenRotation ?? false,
    },
    key,
  );
  const routes: Route[] = [
    ...controlRoutes(state),
    ...introspectionRoutes(state),
    ...authorizeRoutes(state),
    ...adminConsentRoutes(state),
    ...tokenRoutes(state),
    ...discoveryRoutes(state),
  ];
  server.on('request', (req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    if (!requestUrl.pathname.startsWith('/_harness/')) {
      state.requests.push({ method: req.method ?? 'GET', path: requestUrl.pathname, at: Date.now() });
    }
    const found = matchRoute(routes, req.method ?? 'GET', requestUrl.pathname);
    if (!found) return sendJson(res, 404, { error: 'not_found', path: requestUrl.pathname });
    readBody(req)
      .then(({ form, json }) => found.route.handler({ req, res, url: requestUrl, params: found.params, form, json }))
      .catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        if (error instanceof AadError) {
          // Tenant lookups inside JSON endpoints; browser-facing routes catch their own errors.
          const wantsHtml = (req.headers.accept ?? '').includes('text/html');
          return wantsHtml
            ? sendHtml(res, error.status, errorPage(error))
            : sendJson(res, error.status, error.toJson());
        }
        if (error instanceof ZodError) return sendJson(res, 400, { error: 'invalid_input', issues: error.issues });
        // Control calls fail on the caller's input (unknown user, tenant); anything else is an emulator bug.
        const status = requestUrl.pathname.startsWith('/_harness/') ? 400 : 500;
        sendJson(res, status, {
          error: 'harness_error',
          message: error instanceof Error ? error.message : String(error),
        });
      });
  });
  return {
    url,
    port,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
