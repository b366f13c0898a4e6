/**
 * The environment of a product CLI child (`npm run sync` and friends) in a test: nothing of the test process but
 * PATH and HOME, the harness's endpoints, and the database and keys the test configured.
 */
export function cliEnv(harnessEnv: Record<string, string>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...harnessEnv,
    DATABASE_URL: process.env.DATABASE_URL ?? '',
    APP_ENCRYPTION_KEY: process.env.APP_ENCRYPTION_KEY ?? '',
    AUTH_SECRET: process.env.AUTH_SECRET ?? '',
    LOG_LEVEL: 'silent',
    ...extra,
  };
  return env as NodeJS.ProcessEnv;
}
