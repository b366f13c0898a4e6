/**
 * Failures a test arms ahead of time: "the next N token calls fail with AADSTSx", a slow token endpoint, or an
 * authorize request that returns an error to the redirect URI instead of a code.
 */
import { aadError, type AadError } from './aadsts';
import {
  authorizeFaultInput,
  tokenFaultInput,
  type AuthorizeFault,
  type AuthorizeFaultInput,
  type TokenFault,
  type TokenFaultInput,
} from './model';

export class Faults {
  private tokenFaults: TokenFault[] = [];
  private authorizeFaults: AuthorizeFault[] = [];
  tokenDelayMs = 0;

  reset(): void {
    this.tokenFaults = [];
    this.authorizeFaults = [];
    this.tokenDelayMs = 0;
  }

  armToken(input: TokenFaultInput): void {
    this.tokenFaults.push(tokenFaultInput.parse(input));
  }

  armAuthorize(input: AuthorizeFaultInput): void {
    this.authorizeFaults.push(authorizeFaultInput.parse(input));
  }

  /** Consumes one use of the first fault that applies to this grant type, oldest first. */
  takeTokenFault(grantType: string, params: Record<string, string>): AadError | undefined {
    const fault = this.tokenFaults.find((f) => !f.grantType || f.grantType === grantType);
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.tokenFaults = this.tokenFaults.filter((f) => f !== fault);
    return aadError(fault.code, params, fault);
  }

  takeAuthorizeFault(params: Record<string, string>): AadError | undefined {
    const fault = this.authorizeFaults[0];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.authorizeFaults.shift();
    return aadError(fault.code, params, fault);
  }
}
