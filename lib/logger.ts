import 'server-only';
import pino, { type Logger } from 'pino';

// Anything that may carry a credential is censored wherever it appears in a log object.
const SECRET_KEYS = [
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'id_token',
  'idToken',
  'client_secret',
  'clientSecret',
  'code',
  'code_verifier',
  'codeVerifier',
  'password',
  'passwordHash',
  'authorization',
  'Authorization',
  'token',
  'secret',
  'cookie',
  'tokenCache',
  'tokenCacheSealed',
];
const redactPaths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers.${key.toLowerCase()}`]);

const cache = globalThis as unknown as { __mailgateLogger?: Logger };

function rootLogger(): Logger {
  cache.__mailgateLogger ??= pino({
    level: process.env.LOG_LEVEL ?? 'info',
    base: { app: 'mailgate' },
    redact: { paths: redactPaths, censor: '[redacted]' },
  });
  return cache.__mailgateLogger;
}

/** A logger scoped to one part of the system, e.g. `logger('sync')`. */
export function logger(scope: string): Logger {
  return rootLogger().child({ scope });
}
