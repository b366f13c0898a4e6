import { describe, expect, it } from 'vitest';
import { clientAddress, UNKNOWN_CLIENT } from '@/lib/http/client-address';
import { PEER_ADDRESS_HEADER } from '@/lib/http/peer-address';

const direct = { trustedProxyHops: 0, onVercel: false, peerStamped: true };

describe('the client address the sign-in throttle counts', () => {
  it('ignores X-Forwarded-For and X-Real-IP without a trusted proxy: the socket address decides', () => {
    for (const forged of ['203.0.113.1', '198.51.100.7, 10.0.0.1', '']) {
      const headers = new Headers({ 'x-forwarded-for': forged, 'x-real-ip': forged || '1.1.1.1' });
      headers.set(PEER_ADDRESS_HEADER, '192.0.2.10');
      expect(clientAddress(headers, direct)).toBe('192.0.2.10');
    }
  });

  it('does not believe a peer-address header this process did not stamp', () => {
    const headers = new Headers({ [PEER_ADDRESS_HEADER]: '192.0.2.10', 'x-forwarded-for': '203.0.113.1' });
    expect(clientAddress(headers, { ...direct, peerStamped: false })).toBe(UNKNOWN_CLIENT);
  });

  it('behind N trusted proxies takes the N-th entry from the right: what the outermost proxy saw', () => {
    const headers = new Headers({ 'x-forwarded-for': 'forged-by-client, 203.0.113.5, 10.0.0.2' });
    expect(clientAddress(headers, { ...direct, trustedProxyHops: 1 })).toBe('10.0.0.2');
    expect(clientAddress(headers, { ...direct, trustedProxyHops: 2 })).toBe('203.0.113.5');
    // Fewer entries than hops: a misconfiguration; the farthest entry is the best guess.
    expect(clientAddress(headers, { ...direct, trustedProxyHops: 5 })).toBe('forged-by-client');
  });

  it('on Vercel reads the platform header, which Vercel sets itself', () => {
    const headers = new Headers({ 'x-vercel-forwarded-for': '203.0.113.9', 'x-forwarded-for': '203.0.113.8' });
    expect(clientAddress(headers, { ...direct, onVercel: true })).toBe('203.0.113.9');
    expect(clientAddress(new Headers({ 'x-real-ip': '203.0.113.7' }), { ...direct, onVercel: true })).toBe(
      '203.0.113.7',
    );
  });
});
