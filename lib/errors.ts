/**
 * How the product reports failure (CONTRIBUTING.md): a use case returns a `Result`, whose failure carries a code
 * from `FAILURES`; a fault nobody can act on in the moment throws (a plain Error, or an `AppError` when a code
 * helps the log). The table below is the one place that decides a code's HTTP status and whether its message may
 * reach the browser.
 */

/** `response`: the message is written for the admin and may be shown; `log`: it is for the server log only. */
export type Visibility = 'response' | 'log';

const FAILURES = {
  'account.missing': { status: 404, visibility: 'response' },
  'record.missing': { status: 404, visibility: 'response' },
  'account.inactive': { status: 409, visibility: 'response' },
  'app.missing': { status: 409, visibility: 'response' },
  'app.secret_missing': { status: 400, visibility: 'response' },
  'app.refused': { status: 400, visibility: 'response' },
  'app.confirm_reauth': { status: 409, visibility: 'response' },
  'app.application_access': { status: 409, visibility: 'response' },
  'flow.rejected': { status: 400, visibility: 'response' },
  'flow.not_retryable': { status: 404, visibility: 'response' },
  'sync.nothing_to_sync': { status: 409, visibility: 'response' },
  'deployment.preview': { status: 409, visibility: 'response' },
  // Microsoft's answer failed verification: the flow's page says so, without the verifier's details.
  'id_token.invalid': { status: 502, visibility: 'response' },
  // Configuration checked when the server starts, and the database: nothing the admin can do from the page.
  'deployment.base_url_missing': { status: 500, visibility: 'log' },
  'sync.lease_failed': { status: 500, visibility: 'log' },
} as const satisfies Record<string, { status: number; visibility: Visibility }>;

export type FailureCode = keyof typeof FAILURES;

/** A reason a use case did not do its job. `message` is a sentence for people, never a library's raw text. */
export interface Failure<C extends FailureCode = FailureCode> {
  code: C;
  message: string;
}

/** What a use case returns: its value with `ok: true`, or `ok: false` and why. */
export type Result<T extends object, E = Failure> = ({ ok: true } & T) | { ok: false; error: E };

export function fail<C extends FailureCode>(code: C, message: string): { ok: false; error: Failure<C> } {
  return { ok: false, error: { code, message } };
}

export function statusOf(code: FailureCode): number {
  return FAILURES[code].status;
}

const HIDDEN_MESSAGE = 'Something went wrong on the server. The server log has the details.';

/** The sentence the browser may see for a failure: its own, or a generic one when its code is for the log. */
export function visibleMessage(failure: Failure): string {
  return FAILURES[failure.code].visibility === 'response' ? failure.message : HIDDEN_MESSAGE;
}

/** A fault with a code, thrown where no caller in between can act on it (a use case returns failures instead). */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: FailureCode,
    message: string,
    /** For the log only. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** A route handler's answer to a failure: its status, and the message only if the browser may see it. */
export function failureResponse(failure: Failure, headers?: HeadersInit): Response {
  return Response.json({ error: visibleMessage(failure) }, { status: statusOf(failure.code), headers });
}
