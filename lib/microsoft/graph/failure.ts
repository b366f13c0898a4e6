/**
 * A Graph request that did not give the product what it asked for, sorted by what the caller does next.
 * Graph's error body is `{ error: { code, message, innerError: { request-id, ... } } }`
 * (https://learn.microsoft.com/en-us/graph/errors, "Error resource type"); its `message` is Microsoft's text for the
 * log, never a sentence for the page.
 */
import { z } from 'zod';

export type GraphFailureKind =
  /** 403: the token has no mail permission, or RBAC for Applications keeps the app out of this mailbox. */
  | 'access_denied'
  /** 403 ErrorSendAsDenied: sendMail with a From of another mailbox the sender holds no Send As on. */
  | 'send_as_denied'
  /** 413 (the 4 MB request limit) or ErrorMessageSizeExceeded (the mailbox's MaxSendSize). */
  | 'message_too_large'
  /** 404 ErrorInvalidUser / MailboxNotEnabledForRESTAPI: no such mailbox in the tenant, or none in Exchange Online. */
  | 'mailbox_unavailable'
  /** 404 for a folder or message (ErrorItemNotFound): gone since it was listed. */
  | 'not_found'
  /** 401 even with a fresh token. */
  | 'unauthorized'
  /** 429/503 beyond the retries, or asking for a longer wait than a run should sit through. */
  | 'throttled'
  /** 410 / syncStateNotFound: the delta token is no longer known; the folder's sync starts over. */
  | 'sync_reset'
  | 'bad_request'
  | 'server'
  /** A 2xx answer that is not what Graph documents (not JSON, wrong shape). */
  | 'invalid_response'
  | 'network';

export class GraphFailure extends Error {
  override name = 'GraphFailure';
  constructor(
    readonly kind: GraphFailureKind,
    /** Graph's `error.code` ('ErrorAccessDenied'), or a name of ours for failures without a Graph body. */
    readonly code: string,
    message: string,
    readonly details: { status?: number; requestId?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string().optional(),
    innerError: z.object({ 'request-id': z.string().optional() }).loose().optional(),
  }),
});

// Codes Graph clients meet for a delta token Exchange no longer knows; the documented signal is the 410
// (https://learn.microsoft.com/en-us/graph/delta-query-overview, "Synchronization reset").
const SYNC_RESET_CODES = new Set(['syncStateNotFound', 'syncStateInvalid', 'resyncRequired']);
const MAILBOX_CODES = new Set(['ErrorInvalidUser', 'MailboxNotEnabledForRESTAPI', 'ResourceNotFound']);

/** The failure for a non-2xx answer, from its status and Graph's error body (when there is one). */
export function failureFromResponse(status: number, bodyText: string, retryAfterMs?: number): GraphFailure {
  const parsed = errorBody.safeParse(safeJson(bodyText));
  const code = parsed.success ? parsed.data.error.code : `http_${status}`;
  const message = parsed.success ? (parsed.data.error.message ?? code) : `Graph answered HTTP ${status}`;
  const details = {
    status,
    requestId: parsed.success ? parsed.data.error.innerError?.['request-id'] : undefined,
    retryAfterMs,
  };
  return new GraphFailure(kindOf(status, code), code, message, details);
}

function kindOf(status: number, code: string): GraphFailureKind {
  if (code === 'ErrorSendAsDenied') return 'send_as_denied';
  if (status === 413 || code === 'ErrorMessageSizeExceeded') return 'message_too_large';
  if (status === 410 || SYNC_RESET_CODES.has(code)) return 'sync_reset';
  if (status === 429 || status === 503) return 'throttled';
  if (status === 401) return 'unauthorized';
  if (status === 403 || code === 'ErrorAccessDenied') return 'access_denied';
  if (status === 404) return MAILBOX_CODES.has(code) ? 'mailbox_unavailable' : 'not_found';
  if (status >= 500) return 'server';
  return 'bad_request';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
