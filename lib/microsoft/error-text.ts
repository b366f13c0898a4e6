/**
 * Reading error objects from msal-node, imapflow and nodemailer without importing them, and cleaning their
 * text before it is shown or logged.
 */

/** The fields the explainers look at; everything optional because any of these libraries may omit any. */
export interface ErrorFields {
  message: string;
  code?: string;
  errorCode?: string;
  errorMessage?: string;
  subError?: string;
  errorNo?: string;
  status?: number;
  response?: string;
  responseText?: string;
  responseCode?: number;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  mailboxMissing?: boolean;
  throttleReset?: number;
  retryAfter?: string;
  causeCode?: string;
  /** imapflow's text of the server's untagged BYE, on the "Connection not available" error that follows it. */
  byeReason?: string;
}

export function readErrorFields(error: unknown): ErrorFields {
  if (typeof error === 'string') return { message: error };
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const record = error as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
  const num = (key: string) => {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const flag = (key: string) => (record[key] === true ? true : undefined);
  const cause = record.cause ?? record._err;
  const causeRecord = typeof cause === 'object' && cause !== null ? (cause as Record<string, unknown>) : undefined;
  // imapflow stores the parsed response object before enhanceCommandError() turns it into text
  const response = typeof record.response === 'string' ? record.response : undefined;
  return {
    message: text('message') ?? '',
    code: text('code'),
    errorCode: text('errorCode'),
    errorMessage: text('errorMessage'),
    subError: text('subError'),
    errorNo: text('errorNo'),
    status: num('status') ?? num('httpStatus') ?? num('statusCode'),
    response,
    responseText: text('responseText'),
    responseCode: num('responseCode'),
    serverResponseCode: text('serverResponseCode'),
    authenticationFailed: flag('authenticationFailed'),
    tlsFailed: flag('tlsFailed'),
    mailboxMissing: flag('mailboxMissing'),
    throttleReset: num('throttleReset'),
    retryAfter: retryAfterHeader(record.responseHeaders ?? record.headers),
    causeCode: typeof causeRecord?.code === 'string' ? causeRecord.code : undefined,
    byeReason: text('reason'),
  };
}

function retryAfterHeader(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'retry-after' && (typeof value === 'string' || typeof value === 'number'))
      return String(value);
  }
  return undefined;
}

/**
 * The wait a server asked for: Exchange's "Suggested Backoff Time: N milliseconds" or an HTTP Retry-After in
 * seconds (an HTTP date is turned into the time left until it).
 */
export function suggestedWaitMs(text: string, retryAfter?: string, now = Date.now()): number | undefined {
  const backoff = /Backoff Time[:=\s]+(\d+)/i.exec(text);
  if (backoff) return Number(backoff[1]);
  const header = retryAfter ?? /Retry-After[:=\s]+(\S[^\r\n]*)/i.exec(text)?.[1];
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const MAX_RAW_CHARS = 4000;

/**
 * Microsoft's text with anything secret-looking removed, for the collapsed details block and the log.
 * Errors can echo request data (XOAUTH2 strings, token responses), so this errs on the side of cutting.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi, 'Bearer [redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, '[redacted-jwt]')
    .replace(/\bdXNlcj[A-Za-z0-9+/]{16,}={0,2}/g, '[redacted-xoauth2]') // base64 of "user=...\x01auth=Bearer ..."
    .replace(
      /\b(access_token|refresh_token|id_token|client_secret|client_assertion|code_verifier|password)(["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi,
      '$1$2[redacted]',
    )
    .replace(/([?&]code=)[^\s&"']+/g, '$1[redacted]')
    .slice(0, MAX_RAW_CHARS);
}
