/**
 * An error the UI can explain: a stable code, a sentence for people, and optional details for the next step.
 * Library errors never reach the browser; they are wrapped in one of these or logged.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
