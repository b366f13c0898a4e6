import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer, keyId, SealError } from '@/lib/crypto/seal';

const key = () => randomBytes(32);

describe('seal', () => {
  it('opens what it sealed, with a version prefix and the key id', () => {
    const k = key();
    const sealer = createSealer(k);
    const sealed = sealer.seal('client-secret-value', 'test');
    expect(sealed.startsWith(`v1:${keyId(k)}:`)).toBe(true);
    expect(sealed).not.toContain('client-secret-value');
    expect(sealer.open(sealed, 'test')).toBe('client-secret-value');
  });

  it('uses a fresh IV every time', () => {
    const sealer = createSealer(key());
    expect(sealer.seal('same', 'test')).not.toBe(sealer.seal('same', 'test'));
  });

  it('refuses a value sealed with another key', () => {
    const sealed = createSealer(key()).seal('secret', 'test');
    expect(() => createSealer(key()).open(sealed, 'test')).toThrow(SealError);
  });

  it('refuses a value with one flipped byte', () => {
    const sealer = createSealer(key());
    const sealed = sealer.seal('secret', 'test');
    const [v, id, payload] = sealed.split(':') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    bytes[14] = (bytes[14] ?? 0) ^ 0x01;
    expect(() => sealer.open(`${v}:${id}:${bytes.toString('base64url')}`, 'test')).toThrow(/altered/);
  });

  it('refuses a value moved to another purpose', () => {
    const sealer = createSealer(key());
    expect(() => sealer.open(sealer.seal('secret', 'app.client_secret'), 'account.token_cache')).toThrow(SealError);
  });

  it('refuses garbage and truncated values', () => {
    const sealer = createSealer(key());
    expect(() => sealer.open('plain text', 'test')).toThrow(SealError);
    expect(() => sealer.open(`v1:${keyId(randomBytes(32))}`, 'test')).toThrow(SealError);
    const sealed = sealer.seal('secret', 'test');
    expect(() => sealer.open(sealed.slice(0, 20), 'test')).toThrow(SealError);
  });

  it('opens values of a previous key after rotation and marks them stale', () => {
    const oldKey = key();
    const sealed = createSealer(oldKey).seal('secret', 'test');
    const rotated = createSealer(key(), [oldKey]);
    expect(rotated.open(sealed, 'test')).toBe('secret');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal('secret', 'test'))).toBe(false);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createSealer(randomBytes(16))).toThrow(SealError);
  });
});
