/**
 * Authorization codes, refresh and access tokens, and consent records. Tokens are opaque random strings looked up
 * here: that is what makes them introspectable by Dovecot and revocable by a test.
 */
import { randomBytes } from 'node:crypto';

const CODE_LIFETIME_MS = 10 * 60_000;

export interface AuthCodeGrant {
  clientId: string;
  redirectUri: string;
  address: string;
  scopes: string[];
  nonce: string | undefined;
  codeChallenge: string | undefined;
  expiresAt: number;
  redeemed: boolean;
}

export type RefreshTokenStatus = 'live' | 'rotated' | 'revoked' | 'idle-expired';

export interface RefreshTokenGrant {
  clientId: string;
  address: string;
  scopes: string[];
  issuedAt: number;
  status: RefreshTokenStatus;
}

export interface AccessTokenGrant {
  clientId: string;
  /** The signed-in user; '' for an app-only (client credentials) token. */
  address: string;
  scopes: string[];
  /** App-only tokens: the resource (`aud`), the tenant (`tid`) and the granted application permissions (`roles`). */
  app?: { audience: string; tenantId: string; roles: string[] };
  expiresAt: number;
  revoked: boolean;
}

export interface IssuedValues {
  codes: string[];
  refreshTokens: string[];
  accessTokens: string[];
}

export class Grants {
  private readonly codes = new Map<string, AuthCodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshTokenGrant>();
  private readonly accessTokens = new Map<string, AccessTokenGrant>();
  private readonly adminConsents = new Set<string>();
  private readonly userConsents = new Set<string>();
  /** Kept across resets: a run's secret scan must know every value that ever left the emulator. */
  private readonly issued: IssuedValues = { codes: [], refreshTokens: [], accessTokens: [] };

  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.adminConsents.clear();
    this.userConsents.clear();
  }

  issueCode(grant: Omit<AuthCodeGrant, 'expiresAt' | 'redeemed'>, now: number): string {
    const code = `1.${opaque(48)}`;
    this.issued.codes.push(code);
    this.codes.set(code, { ...grant, expiresAt: now + CODE_LIFETIME_MS, redeemed: false });
    return code;
  }

  findCode(code: string): AuthCodeGrant | undefined {
    return this.codes.get(code);
  }

  issueRefreshToken(grant: Omit<RefreshTokenGrant, 'status'>): string {
    const token = `1.${opaque(96)}`;
    this.issued.refreshTokens.push(token);
    this.refreshTokens.set(token, { ...grant, status: 'live' });
    return token;
  }

  findRefreshToken(token: string): RefreshTokenGrant | undefined {
    return this.refreshTokens.get(token);
  }

  issueAccessToken(grant: Omit<AccessTokenGrant, 'revoked'>): string {
    // Real Outlook access tokens are JWTs the client must treat as opaque; opaque here keeps the product honest.
    const token = `EwA${opaque(96)}`;
    this.issued.accessTokens.push(token);
    this.accessTokens.set(token, { ...grant, revoked: false });
    return token;
  }

  findAccessToken(token: string): AccessTokenGrant | undefined {
    return this.accessTokens.get(token);
  }

  /** Every value ever handed out (resets included), whatever became of it: what a secret scan must never find. */
  issuedValues(): IssuedValues {
    return {
      codes: [...this.issued.codes],
      refreshTokens: [...this.issued.refreshTokens],
      accessTokens: [...this.issued.accessTokens],
    };
  }

  /** Like "Revoke sessions" in Entra plus Exchange's continuous access evaluation: both kinds stop working. */
  revokeUser(address: string): void {
    for (const grant of this.refreshTokens.values()) {
      if (grant.address === address && grant.status === 'live') grant.status = 'revoked';
    }
    for (const grant of this.accessTokens.values()) {
      if (grant.address === address) grant.revoked = true;
    }
  }

  /** Simulates 90 days without use (AADSTS700082). */
  expireIdleRefreshTokens(address: string | undefined): void {
    for (const grant of this.refreshTokens.values()) {
      if ((!address || grant.address === address) && grant.status === 'live') grant.status = 'idle-expired';
    }
  }

  expireAccessTokens(address: string | undefined, now: number): void {
    for (const grant of this.accessTokens.values()) {
      if (!address || grant.address === address) grant.expiresAt = Math.min(grant.expiresAt, now - 1);
    }
  }

  recordAdminConsent(clientId: string, tenantId: string): void {
    this.adminConsents.add(`${clientId}|${tenantId}`);
  }

  withdrawAdminConsents(clientId: string): void {
    for (const key of [...this.adminConsents]) if (key.startsWith(`${clientId}|`)) this.adminConsents.delete(key);
  }

  hasAdminConsent(clientId: string, tenantId: string): boolean {
    return this.adminConsents.has(`${clientId}|${tenantId}`);
  }

  recordUserConsent(clientId: string, address: string): void {
    this.userConsents.add(`${clientId}|${address}`);
  }

  hasUserConsent(clientId: string, address: string): boolean {
    return this.userConsents.has(`${clientId}|${address}`);
  }
}

function opaque(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}
