/**
 * Where one Playwright worker's e2e world keeps its files. Each worker starts a world of its own (server.ts, via the
 * `world` fixture in test.ts), so the paths carry the worker's parallel index: two workers never share a database,
 * a server log or a response folder.
 */
import path from 'node:path';

/** 0 … workers-1, stable while a worker restarts after a failure (Playwright sets it in each worker process). */
export const WORKER_SLOT = Number(process.env.TEST_PARALLEL_INDEX ?? 0);

/** This worker's folder; server.ts is told it through E2E_WORLD_DIR. */
export const WORLD_DIR =
  process.env.E2E_WORLD_DIR ?? path.join(process.cwd(), 'test-results', `e2e-world-${WORKER_SLOT}`);

/** What the specs need to reach the world's database, stand-in and routes (server.ts writes it). */
export const WORLD_FILE = path.join(WORLD_DIR, 'world.json');
/** One file per HTML, JSON or RSC body received by this worker's specs (response-log.ts). */
export const RESPONSES_DIR = path.join(WORLD_DIR, 'responses');
/** Everything `next start` wrote to stdout and stderr. */
export const SERVER_LOG = path.join(WORLD_DIR, 'server.log');
/** The random keys the server was started with (server.ts), for the secret scan. */
export const SECRETS_FILE = path.join(WORLD_DIR, 'secrets.json');

/** The console's port: one per worker, so worlds never collide (3107, 3117, …). */
export const WORLD_PORT = Number(process.env.E2E_PORT ?? 3107) + 10 * WORKER_SLOT;

export interface E2eSecrets {
  authSecret: string;
  encryptionKey: string;
  cronSecret: string;
}
