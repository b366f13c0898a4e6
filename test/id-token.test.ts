import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEndpoints } from '@/lib/microsoft/clouds';
import { verifyIdToken } from '@/lib/microsoft/id-token';

const TID = '11111111-2222-4333-8444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
let server: Server;
let base: string;
let key: CryptoKey;
let otherKey: CryptoKey;

beforeAll(async () => {
  ({ privateKey: otherKey } = await generateKeyPair('RS256'));
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((_, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const endpoints = () => cloudEndpoints('global', { loginUrl: base });
const expected = () => ({ endpoints: endpoints(), tenant: TID, clientId: CLIENT, nonce: 'n-1' });

function token(claims: Record<string, unknown> = {}, signWith = key) {
  return new SignJWT({ tid: TID, nonce: 'n-1', preferred_username: 'a@contoso.test', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
    .setIssuer(`${base}/${TID}/v2.0`)
    .setAudience(CLIENT)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(signWith);
}

describe('id token verification', () => {
  it('accepts a token signed by the tenant’s key for this app and nonce', async () => {
    await expect(verifyIdToken(await token(), expected())).resolves.toMatchObject({
      tid: TID,
      preferred_username: 'a@contoso.test',
    });
  });

  it.each([
    ['a signature by another key', async () => token({}, otherKey)],
    [
      'another audience',
      async () =>
        new SignJWT({ tid: TID, nonce: 'n-1' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer(`${base}/${TID}/v2.0`)
          .setAudience('someone-else')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(key),
    ],
    [
      'another issuer',
      async () =>
        new SignJWT({ tid: TID, nonce: 'n-1' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer('https://evil.example/v2.0')
          .setAudience(CLIENT)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(key),
    ],
    ['another nonce', async () => token({ nonce: 'n-2' })],
    [
      'an expired token',
      async () =>
        new SignJWT({ tid: TID, nonce: 'n-1' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .setIssuer(`${base}/${TID}/v2.0`)
          .setAudience(CLIENT)
          .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
          .sign(key),
    ],
  ])('refuses %s', async (_, make) => {
    await expect(verifyIdToken(await make(), expected())).rejects.toMatchObject({ code: 'id_token.invalid' });
  });
});
