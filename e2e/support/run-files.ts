/** Files an e2e run leaves in test-results for the specs that check the whole run afterwards. */
import path from 'node:path';

const RESULTS = path.join(process.cwd(), 'test-results');

/** One file per HTML, JSON or RSC body received during the run (response-log.ts). */
export const RESPONSES_DIR = path.join(RESULTS, 'e2e-responses');
/** Everything `next start` wrote to stdout and stderr. */
export const SERVER_LOG = path.join(RESULTS, 'e2e-server.log');
/** The random keys the server was started with (server.ts), for the secret scan. */
export const SECRETS_FILE = path.join(RESULTS, 'e2e-secrets.json');

export interface E2eSecrets {
  authSecret: string;
  encryptionKey: string;
  cronSecret: string;
}
