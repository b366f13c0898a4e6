/**
 * Everything the emulator knows, in memory: directory, grants, faults, pending sign-ins, a request log, and a
 * clock tests can move forward (code and token expiry without sleeping).
 */
import { Directory } from './directory';
import { Faults } from './faults';
import { Grants } from './grants';
import type { SigningKey } from './keys';
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
}

export class EmulatorState {
  readonly directory = new Directory();
  readonly grants = new Grants();
  readonly faults = new Faults();
  readonly pendingSignIns = new Map<string, PendingSignIn>();
  readonly requests: RequestRecord[] = [];
  private clockOffsetMs = 0;

  constructor(
    readonly settings: EmulatorSettings,
    readonly key: SigningKey,
  ) {}

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  issuer(tenantId: string): string {
    return `${this.settings.baseUrl}/${tenantId}/v2.0`;
  }

  /** Back to an empty directory and no grants; the signing key stays so cached JWKS remain valid. */
  reset(): void {
    this.directory.reset();
    this.grants.reset();
    this.faults.reset();
    this.pendingSignIns.clear();
    this.requests.length = 0;
    this.clockOffsetMs = 0;
  }
}
