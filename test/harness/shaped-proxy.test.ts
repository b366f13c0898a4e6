import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShapedProxy } from './shaped-proxy';

/** The link shaper in front of a loopback port (the bench's shaped Graph row puts it before the Graph stand-in). */
let target: Server;
let targetPort: number;

beforeAll(async () => {
  // Echoes the request body, or answers `size` bytes for GET /bytes?size=N.
  target = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? '0');
      res.end(size > 0 ? Buffer.alloc(size, 7) : Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetPort = (target.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => target.close(() => resolve())));

describe('shaped proxy', () => {
  it('carries requests and answers unchanged, each way one-way delay later', async () => {
    const proxy = await startShapedProxy({ targetPort, link: { roundTripMs: 200 } });
    try {
      const body = Buffer.from('x'.repeat(100_000));
      const started = Date.now();
      const response = await fetch(`${proxy.url}/echo`, { method: 'POST', body });
      const echoed = Buffer.from(await response.arrayBuffer());
      // The request crosses the link and the answer comes back: a lower bound, which load cannot break.
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(echoed.equals(body)).toBe(true);
      expect(proxy.stats.connections).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('holds each direction to the bandwidth cap', async () => {
    const proxy = await startShapedProxy({ targetPort, link: { bytesPerSecond: 1024 * 1024 } });
    try {
      const started = Date.now();
      const response = await fetch(`${proxy.url}/bytes?size=${512 * 1024}`);
      expect((await response.arrayBuffer()).byteLength).toBe(512 * 1024);
      // Half a megabyte at 1 MB/s takes at least half a second on the wire.
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    } finally {
      await proxy.close();
    }
  });

  it('passes bytes straight through when the link is not shaped', async () => {
    const proxy = await startShapedProxy({ targetPort, link: {} });
    try {
      const response = await fetch(`${proxy.url}/echo`, { method: 'POST', body: 'plain' });
      expect(await response.text()).toBe('plain');
    } finally {
      await proxy.close();
    }
  });
});
