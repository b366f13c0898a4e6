import { AADSTS_ALIASES, AADSTS_CATALOG, OAUTH_CATALOG, type CatalogEntry } from '@/lib/microsoft/error-catalog';
import { readErrorFields, redactSecrets, suggestedWaitMs, type ErrorFields } from '@/lib/microsoft/error-text';
import { MAIL_CATALOG, type MailErrorCode } from '@/lib/microsoft/mail-error-catalog';

/** app: every mailbox affected; account: re-authenticate this one; transient: retry with backoff; config: fix settings. */
export type ErrorScope = 'app' | 'account' | 'transient' | 'config';
export type WhoActs = 'console_admin' | 'azure_admin' | 'mailbox_owner' | 'microsoft' | 'nobody';

/** What the console knows that makes advice concrete: the URL to register, the PowerShell identity to name. */
export interface ErrorContext {
  callbackUrl?: string;
  tenant?: string;
  /** The signed-in mailbox (the delegate, for a shared mailbox). */
  mailbox?: string;
  /** The IMAP login user when it differs from `mailbox` (a shared mailbox). */
  imapUser?: string;
  /** The From address of a message that was refused. */
  fromAddress?: string;
  /**
   * A personal Microsoft account (Outlook.com, Hotmail): its owner, not an administrator, controls IMAP, and there
   * is no Exchange Online PowerShell for it. Known from the account's tenant id (`isPersonalAccount`).
   */
  personal?: boolean;
  /**
   * IMAP and SMTP with the app's own client-credentials token (no sign-in): a refusal is about the app's Exchange
   * permissions and the mailbox permission of its service principal, never about a user's sign-in.
   */
  application?: boolean;
}

export interface ErrorAdvice {
  title: string;
  explanation: string;
  action: string;
  whoActs: WhoActs;
  scope: ErrorScope;
  link?: { label: string; href: string };
  /** 65001 / 90094: the UI shows the admin-consent link. */
  needsAdminConsent?: boolean;
}

export interface ExplainedError extends ErrorAdvice {
  /** Stable, for logs and `last_error.code`: 'AADSTS65001', 'invalid_grant', 'imap.authenticate_failed', 'network', ... */
  code: string;
  retryAfterMs?: number;
  /** The original text with tokens redacted, for a collapsed details block and logs; never the headline. */
  raw?: string;
}

/**
 * An explained failure thrown through code that can only throw (msal calls inside the sync engine's
 * `getAccessToken`): whoever catches it reads `explained` instead of guessing from the library's error again.
 */
export class ExplainedFault extends Error {
  override name = 'ExplainedFault';
  constructor(readonly explained: ExplainedError) {
    super(explained.title);
  }
}

export interface IdentityErrorInput {
  error?: string;
  errorDescription?: string;
  errorCodes?: number[];
  subError?: string;
  /** The token endpoint's HTTP status, when known: 429 and 5xx without a recognised error are transient. */
  httpStatus?: number;
  /** A Retry-After header value. */
  retryAfter?: string;
}

/** 'AADSTS7000222' from 'AADSTS7000222: The provided client secret keys ... are expired'. */
export function aadstsCode(text: string): string | undefined {
  const match = /\bAADSTS(\d{4,9})\b/.exec(text);
  return match ? `AADSTS${match[1]}` : undefined;
}

/** An OAuth error response (the callback's `error` / `error_description`, or a token endpoint answer). */
export function explainIdentityError(input: IdentityErrorInput, context: ErrorContext = {}): ExplainedError {
  const text = [input.error, input.errorDescription, input.subError].filter(Boolean).join(': ');
  const wait = suggestedWaitMs(text, input.retryAfter);
  const number = aadstsCode(text)?.slice(6) ?? input.errorCodes?.[0]?.toString();
  const byNumber = number ? (AADSTS_CATALOG[number] ?? AADSTS_CATALOG[AADSTS_ALIASES[number] ?? '']) : undefined;
  const byName = OAUTH_CATALOG[input.error ?? ''] ?? OAUTH_CATALOG[input.subError ?? ''];
  if (!byNumber && !byName && input.httpStatus === 429) return fromMail('throttled', context, text, wait);
  // A 5xx without a recognised error is Microsoft having a bad moment, not a reason to stop the mailbox.
  const serverTrouble =
    input.httpStatus !== undefined && input.httpStatus >= 500 ? OAUTH_CATALOG.server_error : undefined;
  const entry: CatalogEntry = byNumber ?? byName ?? serverTrouble ?? unknownIdentityError(number);
  const advice = typeof entry === 'function' ? entry({ ...context, text }) : entry;
  // An unlisted AADSTS number under a known OAuth error still deserves Microsoft's own lookup page.
  const link = !byNumber && number ? lookupLink(number) : advice.link;
  const code = number ? `AADSTS${number}` : (input.error ?? 'unknown');
  return finish(code, { ...advice, link }, text, wait);
}

/**
 * Whether a stored error code (`last_error.code`) is one an administrator's consent fixes, so the page that shows
 * it can offer Request admin consent (65001 from a token refresh, 90094, a declined or impossible consent).
 */
export function isConsentProblem(code: string): boolean {
  const number = /^AADSTS(\d+)$/.exec(code)?.[1];
  const explained = number
    ? explainIdentityError({ errorCodes: [Number(number)] })
    : explainIdentityError({ error: code });
  return explained.needsAdminConsent === true;
}

/** msal-node errors (ServerError, InteractionRequiredAuthError, ClientAuthError), duck-typed. */
export function explainMsalError(error: unknown, context: ErrorContext = {}): ExplainedError {
  const fields = readErrorFields(error);
  const text = fields.errorMessage || fields.message;
  if (isNetworkFailure(fields) || NETWORK_CODES.has(fields.errorCode ?? '')) {
    return fromMail('network', context, `${fields.errorCode ?? ''} ${text}`);
  }
  return explainIdentityError(
    {
      error: fields.errorCode ?? fields.code,
      errorDescription: text,
      errorCodes: fields.errorNo && /^\d+$/.test(fields.errorNo) ? [Number(fields.errorNo)] : undefined,
      subError: fields.subError || undefined,
      httpStatus: fields.status,
      retryAfter: fields.retryAfter,
    },
    context,
  );
}

/** imapflow errors, including Exchange's throttling and "authenticated but not connected" answers. */
export function explainImapError(error: unknown, context: ErrorContext = {}): ExplainedError {
  const fields = readErrorFields(error);
  const text = [fields.response, fields.responseText, fields.message, fields.byeReason].filter(Boolean).join(' | ');
  if (fields.code === 'ETHROTTLE' || /Request is throttled/i.test(text)) {
    return fromMail('throttled', context, text, fields.throttleReset ?? suggestedWaitMs(text));
  }
  if (/User is authenticated but not connected/i.test(text)) return fromMail('imap.not_connected', context, text);
  if (/AccessTokenExpired|Session invalidated/i.test(text)) return fromMail('imap.session_expired', context, text);
  if (aadstsCode(text)) return explainMsalError(error, context);
  if (
    fields.authenticationFailed ||
    fields.serverResponseCode === 'AUTHENTICATIONFAILED' ||
    /AUTHENTICATE failed/i.test(text)
  ) {
    return fromMail('imap.authenticate_failed', context, text);
  }
  // SELECT of a missing folder sets mailboxMissing; STATUS of one throws imapflow's NotFound (after a LIST).
  if (fields.mailboxMissing || fields.serverResponseCode === 'NONEXISTENT' || fields.code === 'NotFound')
    return fromMail('imap.folder_missing', context, text);
  if (isTlsFailure(fields)) return fromMail('tls', context, text);
  // A BYE ends the session before the socket closes: the server said why, which beats "connection not available".
  if (fields.byeReason) return fromMail('imap.bye', context, text);
  if (isNetworkFailure(fields))
    return fromMail('network', context, `${fields.code ?? fields.causeCode ?? ''} ${text}`.trim());
  if (/\bBYE\b/.test(text)) return fromMail('imap.bye', context, text);
  return fromMail('imap.unknown', context, text);
}

/**
 * nodemailer errors: Exchange's enhanced status codes decide, then the error code. Texts as Exchange Online sends
 * them: "535 5.7.139 ... disabled for the Mailbox|Tenant" (email-oauth2-proxy#193), "535 5.7.3 Authentication
 * unsuccessful" (MailKit#1770), "550 5.7.60 SMTP; Client does not have permissions to send as this sender"
 * (swiftmailer#1258), "554 5.2.252 SendAsDenied" (gophish#2900), "MapiExceptionMaxSubmissionExceeded"
 * (pm2-health#52).
 */
export function explainSmtpError(error: unknown, context: ErrorContext = {}): ExplainedError {
  const fields = readErrorFields(error);
  const text = [fields.response, fields.message].filter(Boolean).join(' | ');
  const code = ((): MailErrorCode | undefined => {
    if (/\b5\.7\.139\b/.test(text))
      return /disabled for the Tenant/i.test(text) ? 'smtp.535_5_7_139_tenant' : 'smtp.535_5_7_139';
    if (/SendAsDenied|\b5\.2\.252\b|\b5\.7\.60\b/i.test(text)) return 'smtp.send_as_denied';
    if (/MaxSubmissionExceeded|\b5\.3\.4\b|exceeds (?:fixed )?maximum (?:message )?size/i.test(text))
      return 'smtp.message_too_large';
    if (/\b5\.7\.3(?![.\d])/.test(text)) return 'smtp.535_5_7_3';
    if (/OutboundSpam|\b5\.1\.8\b|\b5\.7\.70[58]\b|\b5\.7\.750\b/i.test(text)) return 'smtp.sender_blocked';
    if (/\b5\.4\.5\b|SubmissionQuotaExceeded|sender thread limit|ThrottlingException/i.test(text)) return 'smtp.quota';
    return undefined;
  })();
  if (code) return fromMail(code, context, text, code === 'smtp.quota' ? suggestedWaitMs(text) : undefined);
  if (aadstsCode(text)) return explainMsalError(error, context); // EOAUTH2: the token request itself failed
  if (fields.code === 'EAUTH' || fields.responseCode === 535) return fromMail('smtp.auth_failed', context, text);
  if (isTlsFailure(fields)) return fromMail('tls', context, text);
  if (isNetworkFailure(fields))
    return fromMail('network', context, `${fields.code ?? fields.causeCode ?? ''} ${text}`.trim());
  if (fields.responseCode !== undefined && fields.responseCode >= 400 && fields.responseCode < 500) {
    return fromMail('smtp.temporary', context, text, suggestedWaitMs(text));
  }
  return fromMail('smtp.unknown', context, text);
}

// Node socket/DNS codes plus the names imapflow, nodemailer, msal-node and undici give the same failures.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EPIPE',
  'NoConnection',
  'EConnectionClosed',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'network_error',
  'no_network_connectivity',
  'endpoints_resolution_error',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
const TLS_CODES = new Set([
  'ETLS',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isNetworkFailure(fields: ErrorFields): boolean {
  return (
    NETWORK_CODES.has(fields.code ?? '') ||
    NETWORK_CODES.has(fields.causeCode ?? '') ||
    /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)\b|socket hang up|fetch failed/i.test(fields.message)
  );
}

function isTlsFailure(fields: ErrorFields): boolean {
  return fields.tlsFailed === true || TLS_CODES.has(fields.code ?? '') || TLS_CODES.has(fields.causeCode ?? '');
}

function fromMail(code: MailErrorCode, context: ErrorContext, text: string, retryAfterMs?: number): ExplainedError {
  return finish(code, MAIL_CATALOG[code](context), text, retryAfterMs);
}

function finish(code: string, advice: ErrorAdvice, text: string, retryAfterMs?: number): ExplainedError {
  const explained: ExplainedError = { code, ...advice };
  if (!advice.link) delete explained.link;
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0)
    explained.retryAfterMs = retryAfterMs;
  const raw = redactSecrets(text.trim());
  if (raw) explained.raw = raw;
  return explained;
}

function lookupLink(number: string) {
  return {
    label: `Microsoft’s description of AADSTS${number}`,
    href: `https://login.microsoftonline.com/error?code=${number}`,
  };
}

function unknownIdentityError(number: string | undefined): ErrorAdvice {
  return {
    title: 'Microsoft refused the sign-in for a reason this console does not recognise.',
    explanation: number
      ? `Microsoft answered with AADSTS${number}; its own message is in the details.`
      : 'Microsoft’s own message is in the details.',
    action: number
      ? 'Look the code up with the link below. Connecting again often helps; the sync retries with increasing pauses.'
      : 'Try connecting again. If it repeats, check the app settings (client ID, tenant, secret) against Azure.',
    whoActs: 'console_admin',
    scope: 'transient',
    ...(number ? { link: lookupLink(number) } : {}),
  };
}
