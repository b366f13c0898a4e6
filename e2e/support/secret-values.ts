/**
 * The values no database row, response or log line may ever hold in the clear, gathered for the secret scan.
 * server.ts writes the random keys it started the server with; the emulator lists every token it issued.
 */
import { readFileSync } from 'node:fs';
import { ADMIN } from './admin';
import { SECRETS_FILE, type E2eSecrets } from './run-files';
import { E2E_APP, harnessControl } from './world';

export interface SecretValue {
  kind: string;
  value: string;
}

export async function secretValues(): Promise<SecretValue[]> {
  const keys = JSON.parse(readFileSync(SECRETS_FILE, 'utf8')) as E2eSecrets;
  const issued = await harnessControl().issuedValues();
  const values: SecretValue[] = [
    { kind: 'app client secret', value: E2E_APP.clientSecret },
    { kind: 'AUTH_SECRET', value: keys.authSecret },
    { kind: 'APP_ENCRYPTION_KEY', value: keys.encryptionKey },
    // The same key as the hex the database or a log would show if raw key bytes ever leaked.
    { kind: 'APP_ENCRYPTION_KEY (hex)', value: Buffer.from(keys.encryptionKey, 'base64').toString('hex') },
    { kind: 'CRON_SECRET', value: keys.cronSecret },
    { kind: 'admin password', value: ADMIN.password },
    ...issued.refreshTokens.map((value) => ({ kind: 'refresh token', value })),
    ...issued.accessTokens.map((value) => ({ kind: 'access token', value })),
    ...issued.codes.map((value) => ({ kind: 'authorization code', value })),
  ];
  for (const { kind, value } of values)
    if (value.length < 12) throw new Error(`The ${kind} to scan for is missing or too short.`);
  return values;
}
