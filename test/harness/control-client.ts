/**
 * Typed client for the emulator's control API. Works from any process (vitest, Playwright, a script) because it
 * only speaks HTTP to the `/_harness/` routes.
 */
import type {
  AppInput,
  AuthorizeFaultInput,
  HarnessUser,
  IssuedTokens,
  IssueTokensInput,
  RegisteredApp,
  RequestRecord,
  Tenant,
  TenantInput,
  TokenFaultInput,
  UserInput,
  UserPatch,
} from './emulator/model';
import type { IssuedValues } from './emulator/grants';

export class HarnessControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`Harness control call failed (${status}): ${body}`);
  }
}

const TIMEOUT_MS = 5_000;

export class ControlClient {
  constructor(readonly baseUrl: string) {}

  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }

  addTenant(input: TenantInput): Promise<Tenant> {
    return this.call('POST', '/tenants', input);
  }

  addUser(input: UserInput): Promise<HarnessUser> {
    return this.call('POST', '/users', input);
  }

  updateUser(address: string, patch: UserPatch): Promise<HarnessUser> {
    return this.call('PATCH', `/users/${encodeURIComponent(address)}`, patch);
  }

  getUser(address: string): Promise<HarnessUser | null> {
    return this.call('GET', `/users/${encodeURIComponent(address)}`);
  }

  /** Registers the app, or replaces the registration with the same client id (new secret, redirect URIs...). */
  registerApp(input: AppInput): Promise<RegisteredApp> {
    return this.call('POST', '/apps', input);
  }

  /** Sign-in and refresh fail with AADSTS65001 until admin consent is given (page or grantAdminConsent). */
  requireAdminConsent(clientId: string): Promise<void> {
    return this.call('POST', `/apps/${encodeURIComponent(clientId)}/require-admin-consent`);
  }

  /** `Add-MailboxPermission -Identity <mailbox> -User <the app's service principal> -AccessRights FullAccess`. */
  grantMailboxPermission(clientId: string, mailbox: string): Promise<void> {
    return this.call('PUT', `/apps/${encodeURIComponent(clientId)}/mailbox-permissions/${encodeURIComponent(mailbox)}`);
  }

  /** `Remove-MailboxPermission` of the same. */
  revokeMailboxPermission(clientId: string, mailbox: string): Promise<void> {
    return this.call(
      'DELETE',
      `/apps/${encodeURIComponent(clientId)}/mailbox-permissions/${encodeURIComponent(mailbox)}`,
    );
  }

  grantAdminConsent(clientId: string, tenant: string): Promise<void> {
    return this.call('POST', '/admin-consent', { clientId, tenant });
  }

  /** The next `count` token calls (optionally of one grant type) fail with this AADSTS code. */
  armTokenFault(input: TokenFaultInput): Promise<void> {
    return this.call('POST', '/faults/token', input);
  }

  /** The next `count` authorize requests return this error to the redirect URI instead of a sign-in page. */
  armAuthorizeFault(input: AuthorizeFaultInput): Promise<void> {
    return this.call('POST', '/faults/authorize', input);
  }

  /** HTTP 429 with Retry-After on the next `count` token calls. */
  throttle(count: number, retryAfterSeconds = 5): Promise<void> {
    return this.armTokenFault({ code: 50196, count, status: 429, retryAfterSeconds });
  }

  setTokenDelay(ms: number): Promise<void> {
    return this.call('PUT', '/token-delay', { ms });
  }

  /** "Revoke sessions": refresh tokens fail with AADSTS50173, access tokens stop introspecting. */
  revokeUser(address: string): Promise<void> {
    return this.call('POST', `/users/${encodeURIComponent(address)}/revoke`);
  }

  /** Refresh tokens (of one user, or everyone's) fail with AADSTS700082 as if idle for 90 days. */
  expireRefreshTokens(address?: string): Promise<void> {
    return this.call('POST', '/refresh-tokens/expire', { address });
  }

  expireAccessTokens(address?: string): Promise<void> {
    return this.call('POST', '/access-tokens/expire', { address });
  }

  /** Moves the emulator's clock forward (code expiry, token lifetimes) without sleeping. */
  advanceClock(ms: number): Promise<void> {
    return this.call('POST', '/clock', { advanceMs: ms });
  }

  /** A signing-key rollover: id tokens are signed with a new `kid` from now on. */
  async rotateSigningKey(): Promise<string> {
    return (await this.call<{ kid: string }>('POST', '/keys/rotate')).kid;
  }

  /** true: a used refresh token is refused (AADSTS70008); false (default, Microsoft's way): it stays valid. */
  setStrictRefreshTokenRotation(strict: boolean): Promise<void> {
    return this.call('PUT', '/refresh-token-rotation', { strict });
  }

  /** Tokens for a user without the browser flow, e.g. for IMAP and SMTP tests. */
  issueTokens(input: IssueTokensInput): Promise<IssuedTokens> {
    return this.call('POST', '/tokens', input);
  }

  /** Every authorization code, refresh token and access token ever issued, resets included (for secret scans). */
  issuedValues(): Promise<IssuedValues> {
    return this.call('GET', '/tokens/issued');
  }

  /** Every non-control request the emulator served, oldest first. */
  requests(): Promise<RequestRecord[]> {
    return this.call('GET', '/requests');
  }

  clearRequests(): Promise<void> {
    return this.call('DELETE', '/requests');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_harness${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new HarnessControlError(response.status, text);
    const parsed = JSON.parse(text) as unknown;
    return (isOkMarker(parsed) ? undefined : parsed) as T;
  }
}

function isOkMarker(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    (value as { ok?: unknown }).ok === true
  );
}
