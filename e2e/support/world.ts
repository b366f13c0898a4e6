import { readFileSync } from 'node:fs';
import { ControlClient } from '../../test/harness/control-client';
import { DEFAULT_TENANT } from '../../test/harness/emulator/model';
import { WORLD_FILE } from './run-files';

export const E2E_APP = {
  clientId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  clientSecret: 'e2e~Secret-Value-9z8Y',
  tenant: DEFAULT_TENANT.id,
};

export const ALICE = { address: 'alice@contoso.test', displayName: 'Alice Example' };
export const BOB = { address: 'bob@contoso.test', displayName: 'Bob Example' };

export const E2E_USERS = [
  ALICE,
  BOB,
  {
    address: 'support@contoso.test',
    displayName: 'Support',
    kind: 'shared' as const,
    fullAccess: ['alice@contoso.test'],
    sendAs: ['alice@contoso.test'],
  },
];

export interface E2eWorld {
  baseUrl: string;
  databaseUrl: string;
  cronSecret: string;
  /** The server's Auth.js secret, so a spec can forge sessions (expired ones, to prove they are refused). */
  authSecret: string;
  harnessUrl: string;
  mailRoot: string;
}

/** This worker's world, as server.ts wrote it (the `world` fixture in test.ts has started it by then). */
export function world(): E2eWorld {
  return JSON.parse(readFileSync(WORLD_FILE, 'utf8')) as E2eWorld;
}

export function harnessControl(): ControlClient {
  return new ControlClient(world().harnessUrl);
}
