import 'server-only';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealError extends Error {
  override name = 'SealError';
}

export interface Sealer {
  /** `v1:<key id>:<base64url(iv | ciphertext | tag)>`. `context` is bound as associated data. */
  seal(plaintext: string, context: string): string;
  /** Opens with whichever known key sealed it; throws SealError on tampering or an unknown key. */
  open(sealed: string, context: string): string;
  /** True when the value was sealed with an older key and should be sealed again. */
  isStale(sealed: string): boolean;
}

/** A short, non-secret fingerprint of a key, so values name the key that sealed them and keys can rotate. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function createSealer(currentKey: Buffer, previousKeys: Buffer[] = []): Sealer {
  for (const key of [currentKey, ...previousKeys]) {
    if (key.length !== 32) throw new SealError('An encryption key must be exactly 32 bytes.');
  }
  const currentId = keyId(currentKey);
  const keys = new Map([...previousKeys, currentKey].map((key) => [keyId(key), key]));

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}:${currentId}:${body.toString('base64url')}`;
    },

    open(sealed, context) {
      const [version, id, payload, ...rest] = sealed.split(':');
      if (version !== VERSION || !id || payload === undefined || rest.length > 0) {
        throw new SealError('The value is not a sealed secret of a known format.');
      }
      const key = keys.get(id);
      if (!key) throw new SealError(`The value was sealed with a key this server does not have (key id ${id}).`);
      const body = Buffer.from(payload, 'base64url');
      if (body.length < IV_BYTES + TAG_BYTES) throw new SealError('The sealed value is truncated.');
      const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SealError('The sealed value was altered or sealed for another purpose; it cannot be opened.');
      }
    },

    isStale(sealed) {
      return sealed.split(':')[1] !== currentId;
    },
  };
}
