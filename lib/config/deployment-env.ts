// No `server-only` here: next.config.ts imports this to check a deployment's variables at build time (Node, not
// a server bundle). It only checks their shape; nothing here logs, stores or returns a secret's value.
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const VERCEL_NEEDS_DATABASE_URL =
  'Invalid configuration: set DATABASE_URL. Vercel has no writable disk for the embedded database; see "Vercel with Neon" or "Vercel with Supabase" in the README';

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v.replace(/@([^/?#]*,)+/, '@')), {
    message:
      'must be a postgres:// URL, e.g. postgres://user:password@host:5432/mailgate (unset it to use the embedded database)',
  });

const base64Key = z.string().refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === 32, {
  message: 'must be 32 random bytes in base64 (create one with `openssl rand -base64 32`)',
});

export const flag = z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');

/** The console's public origin: http(s), a host, no path, query or fragment. */
const publicOrigin = z
  .string()
  .trim()
  .refine(
    (v) => {
      if (!URL.canParse(v)) return false;
      const url = new URL(v);
      return /^https?:$/.test(url.protocol) && url.pathname === '/' && !url.search && !url.hash && !url.username;
    },
    { message: "must be the console's public http(s) URL without a path, e.g. https://mail.example.com" },
  );

/** The variables that decide how and where the console is deployed: database, keys, public URL, platform. */
export const deploymentShape = {
  DATABASE_URL: postgresUrl.optional(),
  // Neon's Vercel integration sets DATABASE_URL_UNPOOLED (https://neon.com/faqs/find-database-url-neon); DIRECT_URL
  // is the name Supabase's Prisma guide gives the session connection.
  DATABASE_URL_UNPOOLED: postgresUrl.optional(),
  DIRECT_URL: postgresUrl.optional(),
  DATABASE_PREPARED_STATEMENTS: flag.optional(),
  MIGRATION_LOCK_TIMEOUT_SECONDS: z.coerce
    .number({ message: 'must be a number of seconds between 1 and 3600' })
    .int('must be a whole number of seconds between 1 and 3600')
    .min(1, 'must be a number of seconds between 1 and 3600')
    .max(3600, 'must be a number of seconds between 1 and 3600')
    .default(60),
  DATA_DIR: z.string().trim().min(1).default('./.data'),
  APP_BASE_URL: publicOrigin.optional(),
  APP_ENCRYPTION_KEY: base64Key.optional(),
  APP_ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .optional()
    .transform((v) =>
      v
        ? v
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean)
        : [],
    )
    .pipe(z.array(base64Key)),
  AUTH_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (create one with `openssl rand -base64 32`)')
    .optional(),
  CRON_SECRET: z.string().min(16, 'must be at least 16 characters (create one with `openssl rand -hex 32`)').optional(),
  ADMIN_EMAIL: z.email('must be an e-mail address').optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  // Set by Vercel on every build and function (https://vercel.com/docs/environment-variables/system-environment-variables).
  VERCEL: z.string().optional(),
  VERCEL_ENV: z.enum(['production', 'preview', 'development']).optional(),
  VERCEL_PROJECT_PRODUCTION_URL: z
    .string()
    .trim()
    .refine((v) => /^[a-z0-9.-]+(:\d+)?$/i.test(v), { message: 'must be a host name, as Vercel sets it' })
    .optional(),
};

const deploymentSchema = z.object(deploymentShape);
export type DeploymentEnv = z.infer<typeof deploymentSchema>;

/** Unset and blank are the same: an empty variable in a .env file or a dashboard means "not set". */
export function withoutBlanks(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(source).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== '',
    ),
  );
}

export function configErrorOf(error: z.ZodError): ConfigError {
  const lines = error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
  return new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
}

/** Rules between variables, checked wherever the variables are. */
export function checkDeploymentRules(env: DeploymentEnv): void {
  if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD))
    throw new ConfigError(
      'Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD go together (set both to create the first administrator at start-up, or neither)',
    );
  if (env.VERCEL && !env.DATABASE_URL) throw new ConfigError(VERCEL_NEEDS_DATABASE_URL);
}

/**
 * The origin OAuth redirect URIs are built from, when the deployment says it: APP_BASE_URL, or on Vercel the
 * project's production domain (VERCEL_PROJECT_PRODUCTION_URL, a host name without protocol, set also in preview
 * builds: https://vercel.com/docs/environment-variables/system-environment-variables). Never a request header.
 */
export function configuredBaseUrl(
  env: Pick<DeploymentEnv, 'APP_BASE_URL' | 'VERCEL' | 'VERCEL_PROJECT_PRODUCTION_URL'>,
) {
  if (env.APP_BASE_URL) return new URL(env.APP_BASE_URL).origin;
  if (env.VERCEL && env.VERCEL_PROJECT_PRODUCTION_URL) return `https://${env.VERCEL_PROJECT_PRODUCTION_URL}`;
  return undefined;
}

/**
 * `next build`'s check: every deployment variable that is set must be well formed, so a typo fails the build
 * rather than every request. On Vercel the build sees the same variables as the functions, so what production
 * needs is required here too; elsewhere (CI, a container image) they usually arrive only at start, where the
 * server checks them again.
 */
export function checkBuildEnvironment(source: Record<string, string | undefined>): DeploymentEnv {
  const parsed = deploymentSchema.safeParse(withoutBlanks(source));
  if (!parsed.success) throw configErrorOf(parsed.error);
  const env = parsed.data;
  checkDeploymentRules(env);
  if (env.VERCEL) {
    const missing = (['APP_ENCRYPTION_KEY', 'AUTH_SECRET'] as const).filter((name) => !env[name]);
    if (missing.length > 0)
      throw new ConfigError(
        `Invalid configuration: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required on Vercel (create each with \`openssl rand -base64 32\`)`,
      );
    if (!configuredBaseUrl(env))
      throw new ConfigError("Invalid configuration: set APP_BASE_URL to the console's public URL");
  }
  return env;
}
