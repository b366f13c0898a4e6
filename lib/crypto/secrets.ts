import 'server-only';
import { getEnv } from '@/lib/config/env';
import { createSealer, type Sealer } from '@/lib/crypto/seal';

const cache = globalThis as unknown as { __mailgateSealer?: Sealer };

/** The process's sealer, keyed by APP_ENCRYPTION_KEY (and APP_ENCRYPTION_KEY_PREVIOUS for rotation). */
export function secrets(): Sealer {
  if (!cache.__mailgateSealer) {
    const env = getEnv();
    cache.__mailgateSealer = createSealer(
      Buffer.from(env.APP_ENCRYPTION_KEY, 'base64'),
      env.APP_ENCRYPTION_KEY_PREVIOUS.map((k) => Buffer.from(k, 'base64')),
    );
  }
  return cache.__mailgateSealer;
}
