import 'server-only';
import { z } from 'zod';
import {
  checkDeploymentRules,
  ConfigError,
  configErrorOf,
  configuredBaseUrl,
  deploymentShape,
  flag,
  withoutBlanks,
} from '@/lib/config/deployment-env';
import { embeddedSecret } from '@/lib/config/embedded-secrets';
import { assertWritableDataDir } from '@/lib/db/embedded-disk';

export { ConfigError };

const optionalUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { message: `must be ${what}` })
    .optional();

function isNotificationUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

const port = z.coerce
  .number()
  .int()
  .min(1, 'must be a port number (1-65535)')
  .max(65535, 'must be a port number (1-65535)');

const schema = z.object({
  ...deploymentShape,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  // IMAP connections one mailbox's first sync may use. Exchange Online allows 20 concurrent IMAP connections per
  // mailbox ("Maximum concurrent IMAP connections: 20", Exchange Online throttling and limits FAQ,
  // blogs.msdn.microsoft.com/exchangedev/2011/06/23/exchange-online-throttling-and-limits-faq); Exchange Server's
  // MaxConnectionsPerUser defaults to 16 (learn: exchange/set-connection-limits-for-imap4-exchange-2013-help).
  // The cap stays under both, leaving room for the people's own mail clients on the same mailbox.
  SYNC_CONNECTIONS_PER_MAILBOX: z.coerce
    .number({ message: 'must be a number of IMAP connections between 1 and 8' })
    .int('must be a whole number of IMAP connections between 1 and 8')
    .min(1, 'must be a number of IMAP connections between 1 and 8')
    .max(8, 'must be at most 8 (Exchange Online allows 20 IMAP connections per mailbox, shared with mail clients)')
    .default(4),
  // Exchange Online itself accepts messages up to 150 MB; a bigger one is stored with its headers only.
  SYNC_MAX_MESSAGE_MB: z.coerce
    .number({ message: 'must be a number of megabytes between 1 and 150' })
    .int('must be a whole number of megabytes between 1 and 150')
    .min(1, 'must be a number of megabytes between 1 and 150')
    .max(150, 'must be a number of megabytes between 1 and 150 (Exchange Online’s own limit)')
    .default(50),
  // The embedded console's own schedule (nothing else may open its database); 0 turns it off.
  SYNC_INTERVAL_MINUTES: z.coerce
    .number({ message: 'must be a number of minutes (0 turns the console’s own schedule off)' })
    .min(0, 'must be a number of minutes (0 turns the console’s own schedule off)')
    .max(1440, 'must be at most 1440 minutes (a day)')
    .default(5),
  // IMAP IDLE connections one process holds (npm run sync -- --watch, the embedded console); mailboxes beyond
  // it are polled. 0 turns watching off.
  SYNC_WATCH_MAX: z.coerce
    .number({ message: 'must be a number of mailboxes (0 turns watching off)' })
    .int('must be a whole number of mailboxes (0 turns watching off)')
    .min(0, 'must be a number of mailboxes (0 turns watching off)')
    .max(100_000, 'must be at most 100000 mailboxes per process')
    .default(1000),
  // How long a watcher's claim on a mailbox outlives its last heartbeat: a dead worker's mailboxes are watched
  // by another after at most this long plus one claim round (a third of it).
  SYNC_WATCH_LEASE_SECONDS: z.coerce
    .number({ message: 'must be a number of seconds between 3 and 600' })
    .min(3, 'must be a number of seconds between 3 and 600')
    .max(600, 'must be a number of seconds between 3 and 600')
    .default(45),
  // How many proxies in front of the console append to X-Forwarded-For; 0 trusts no forwarded header and
  // uses the connection's own address (lib/http/client-address.ts).
  TRUSTED_PROXY_HOPS: z.coerce
    .number({ message: 'must be the number of proxies in front of the console (0 when there is none)' })
    .int('must be a whole number of proxies (0 when there is none)')
    .min(0, 'must be the number of proxies in front of the console (0 when there is none)')
    .max(10, 'must be at most 10 proxies')
    .default(0),
  // Every administrator must sign in with a second factor; one without it sets it up before anything else.
  REQUIRE_TWO_FACTOR: flag.optional().default(false),
  // A session ends this long after sign-in, however active, and after this long without a request.
  SESSION_LIFETIME_HOURS: z.coerce
    .number({ message: 'must be a number of hours (default 168, a week)' })
    .min(1, 'must be at least 1 hour')
    .max(24 * 90, 'must be at most 2160 hours (90 days)')
    .default(24 * 7),
  SESSION_IDLE_MINUTES: z.coerce
    .number({ message: 'must be a number of minutes (default 480, 8 hours)' })
    .min(5, 'must be at least 5 minutes')
    .max(24 * 60 * 90, 'must be at most 129600 minutes (90 days)')
    .default(8 * 60),
  MICROSOFT_LOGIN_URL: optionalUrl(
    'an http(s) URL of a Microsoft identity endpoint stand-in, e.g. http://127.0.0.1:4010',
  ),
  // Graph's origin without the version path (the client adds /v1.0), as MICROSOFT_LOGIN_URL is the login origin.
  MICROSOFT_GRAPH_URL: optionalUrl('an http(s) URL of a Microsoft Graph stand-in, e.g. http://127.0.0.1:4011').refine(
    (v) => v === undefined || ['', '/'].includes(new URL(v).pathname),
    { message: 'must be an origin without a path (the client adds /v1.0), e.g. http://127.0.0.1:4011' },
  ),
  // Where Graph posts change notifications (push): this deployment's public /api/v1/graph/notifications. Graph only
  // calls https endpoints; plain http is accepted on loopback, for the local stand-in.
  GRAPH_NOTIFICATION_URL: z
    .string()
    .trim()
    .refine(isNotificationUrl, {
      message: 'must be the https URL of /api/v1/graph/notifications (http only on 127.0.0.1 or localhost)',
    })
    .optional(),
  MICROSOFT_IMAP_HOST: z.string().trim().min(1).optional(),
  MICROSOFT_IMAP_PORT: port.optional(),
  MICROSOFT_IMAP_TLS: flag.optional(),
  MICROSOFT_SMTP_HOST: z.string().trim().min(1).optional(),
  MICROSOFT_SMTP_PORT: port.optional(),
  MICROSOFT_SMTP_SECURITY: z
    .enum(['implicit', 'starttls', 'none'], { message: 'must be implicit, starttls or none' })
    .optional(),
});

type Parsed = z.infer<typeof schema>;
export type Env = Omit<Parsed, 'APP_ENCRYPTION_KEY' | 'AUTH_SECRET'> & {
  APP_ENCRYPTION_KEY: string;
  AUTH_SECRET: string;
  databaseKind: 'postgres' | 'pglite';
  /** Where OAuth redirect URIs point: APP_BASE_URL, or Vercel's production domain; unset in development. */
  publicBaseUrl: string | undefined;
};

/** Validates the environment; every problem becomes one line naming the variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(withoutBlanks(source));
  if (!result.success) throw configErrorOf(result.error);
  const env = result.data;
  checkDeploymentRules(env);
  const embedded = env.DATABASE_URL === undefined;
  // Before the first write into DATA_DIR (the generated keys below).
  if (embedded) assertWritableDataDir(env.DATA_DIR);
  const required = (name: 'APP_ENCRYPTION_KEY' | 'AUTH_SECRET', value: string | undefined, generate: () => string) => {
    if (value) return value;
    if (embedded) return embeddedSecret(env.DATA_DIR, name, generate);
    throw new ConfigError(
      `Invalid configuration: ${name} is required when DATABASE_URL is set (create one with \`openssl rand -base64 32\`)`,
    );
  };
  const randomKey = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
  // Hex, not base64 with its + / = stripped: that left 39 to 43 characters, one run in ten below the 40 asked for.
  const randomHex = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
  return {
    ...env,
    APP_ENCRYPTION_KEY: required('APP_ENCRYPTION_KEY', env.APP_ENCRYPTION_KEY, randomKey),
    AUTH_SECRET: required('AUTH_SECRET', env.AUTH_SECRET, randomKey),
    // Generated in embedded mode too: `npm run sync` reads the same file to ask the running console to sync.
    CRON_SECRET: env.CRON_SECRET ?? (embedded ? embeddedSecret(env.DATA_DIR, 'CRON_SECRET', randomHex) : undefined),
    databaseKind: embedded ? 'pglite' : 'postgres',
    publicBaseUrl: configuredBaseUrl(env),
  };
}

const cache = globalThis as unknown as { __mailgateEnv?: Env };

/** The validated environment, read once per process. */
export function getEnv(): Env {
  cache.__mailgateEnv ??= parseEnv(process.env);
  return cache.__mailgateEnv;
}
