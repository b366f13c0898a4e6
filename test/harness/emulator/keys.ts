/**
 * The emulator's signing key: RS256 like Entra, published as a JWKS with a `kid` the id tokens name in their header.
 */
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { randomBytes } from 'node:crypto';

export class SigningKey {
  private constructor(
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
    readonly kid: string,
  ) {}

  static async generate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    const kid = randomBytes(20).toString('base64url');
    return new SigningKey(privateKey, await exportJWK(publicKey), kid);
  }

  /** Microsoft's keys document lists `issuer` as a template per key; msal and jose ignore it. */
  jwk(issuerTemplate: string): JWK {
    return { ...this.publicJwk, kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, issuer: issuerTemplate } as JWK;
  }

  sign(claims: JWTPayload): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid }).sign(this.privateKey);
  }
}
