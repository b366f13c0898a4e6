import 'server-only';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '@/lib/errors';
import { expectedIssuer, jwksUrl, type CloudEndpoints } from '@/lib/microsoft/clouds';

export interface IdTokenClaims extends JWTPayload {
  tid: string;
  oid?: string;
  nonce?: string;
  name?: string;
  preferred_username?: string;
  email?: string;
  /** A guest's home identity provider. */
  idp?: string;
}

// One key set per JWKS URL and process: jose caches keys and refetches on an unknown kid.
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(url: string) {
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: 10_000, cooldownDuration: 30_000 });
    keySets.set(url, set);
  }
  return set;
}

/**
 * msal-node does not check the id token's signature, so the product does before trusting any claim:
 * signature against the tenant's published keys, audience, issuer (per the token's tenant), expiry and nonce.
 */
export async function verifyIdToken(
  idToken: string,
  expected: { endpoints: CloudEndpoints; tenant: string; clientId: string; nonce: string },
): Promise<IdTokenClaims> {
  const keys = keySet(jwksUrl(expected.endpoints, expected.tenant));
  const verify = () =>
    jwtVerify(idToken, keys, {
      audience: expected.clientId,
      algorithms: ['RS256'],
      clockTolerance: 300,
      requiredClaims: ['exp', 'iat', 'tid'],
    });
  let payload: JWTPayload;
  try {
    ({ payload } = await verify().catch(async (error: unknown) => {
      // Microsoft rolls its signing keys over without notice; jose refetches for an unknown kid only after its
      // 30 s cooldown, so a sign-in right after a rollover would fail. Fetch the keys once more, then decide.
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      await keys.reload();
      return verify();
    }));
  } catch (error) {
    throw new AppError('id_token.invalid', 'Microsoft’s sign-in answer could not be verified.', {
      reason: describe(error),
    });
  }
  const claims = payload as IdTokenClaims;
  if (typeof claims.tid !== 'string' || claims.iss !== expectedIssuer(expected.endpoints, claims.tid)) {
    throw new AppError('id_token.invalid', 'Microsoft’s sign-in answer came from an unexpected issuer.', {
      reason: 'issuer',
    });
  }
  if (claims.nonce !== expected.nonce) {
    throw new AppError('id_token.invalid', 'Microsoft’s sign-in answer does not belong to this sign-in.', {
      reason: 'nonce',
    });
  }
  return claims;
}

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim}: ${error.reason}`;
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return 'unreadable';
}
