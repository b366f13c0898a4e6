import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '@/lib/db/types';

const cache = globalThis as unknown as { __mailgateEnv?: unknown };

describe('productSyncDeps', () => {
  afterEach(() => {
    cache.__mailgateEnv = undefined;
  });

  it('takes the message size limit and concurrency from the deployment’s settings', async () => {
    Object.assign(process.env, {
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/unused',
      APP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      AUTH_SECRET: randomBytes(32).toString('base64'),
      SYNC_MAX_MESSAGE_MB: '12',
      SYNC_CONCURRENCY: '3',
    });
    cache.__mailgateEnv = undefined;
    const { productSyncDeps } = await import('@/lib/channels/microsoft365/sync-deps');
    const deps = productSyncDeps({} as Db);
    expect(deps.maxMessageBytes).toBe(12 * 1024 * 1024);
    expect(deps.concurrency).toBe(3);
  });
});
