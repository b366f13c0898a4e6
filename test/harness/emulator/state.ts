/**
 * Everything the emulator knows, in memory: directory, grants, faults, pending sign-ins, a request log, and a
 * clock tests can move forward (code and token expiry without sleeping).
 */
import { Directory } from './directory';
import { Faults } from './faults';
import { Grants } from './grants';
import { SigningKey } from './keys';
import type { RequestRecord } from './model';

export interface PendingSignIn {
  tenantSegment: string;
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  nonce: string | undefined;
  scopes: string[];
  codeChallenge: string | undefined;
  loginHint: string | undefined;
  prompt: string | undefined;
  /** msal sends `client_info=1`; Microsoft then adds `client_info` to the redirect and the token response. */
  clientInfo: boolean;
  /** Set once an account was picked and a consent page is showing. */
  address?: string;
  expiresAt: number;
}

export interface EmulatorSettings {
  /** Origin the emulator is reached at, e.g. http://127.0.0.1:4010; issuers and endpoints are built from it. */
  baseUrl: string;
  /** Accepted spellings of the Outlook resource; the first is canonical. */
  outlookResources: readonly string[];
  accessTokenLifetimeSeconds: number;
  /** Off (Microsoft's behaviour): a used refresh token stays valid. On: it is refused with AADSTS70008. */
  strictRefreshTokenRotation: boolean;
}

export class EmulatorState {
  readonly directory = new Directory();
  readonly grants = new Grants();
  readonly faults = new Faults();
  readonly pendingSignIns = new Map<string, PendingSignIn>();
  readonly requests: RequestRecord[] = [];
  private clockOffsetMs = 0;

  /** Newest first: id tokens are signed with keys[0]; the JWKS lists them all, as Microsoft lists several. */
  readonly keys: SigningKey[];

  constructor(
    readonly settings: EmulatorSettings,
    key: SigningKey,
  ) {
    this.keys = [key];
  }

  get key(): SigningKey {
    return this.keys[0] as SigningKey;
  }

  // RSA key generation takes seconds on a loaded machine: the next key is made ahead, off the request path.
  private spareKey: Promise<SigningKey> = SigningKey.generate();

  /** A signing-key rollover: a new `kid` signs from now on; the previous key stays published. */
  async rotateSigningKey(): Promise<string> {
    const next = await this.spareKey;
    this.spareKey = SigningKey.generate();
    this.keys.unshift(next);
    this.keys.length = Math.min(this.keys.length, 2);
    return next.kid;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  issuer(tenantId: string): string {
    return `${this.settings.baseUrl}/${tenantId}/v2.0`;
  }

  /** Back to an empty directory and no grants; the signing keys stay so cached JWKS remain valid. */
  reset(): void {
    this.settings.strictRefreshTokenRotation = false;
    this.directory.reset();
    this.grants.reset();
    this.faults.reset();
    this.pendingSignIns.clear();
    this.requests.length = 0;
    this.clockOffsetMs = 0;
  }
}
