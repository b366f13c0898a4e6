import 'server-only';
import { ConfigError, getEnv, type Env } from '@/lib/config/env';
import { AppError, fail, type Failure, type Result } from '@/lib/errors';

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?::\d{1,5})?$|^\[[0-9a-f:.]+\](?::\d{1,5})?$/i;

const warned = globalThis as unknown as { __mailgateBaseUrlWarned?: boolean };

/**
 * The console's public origin, which OAuth redirect URIs are built from. Production takes it from the deployment
 * only (APP_BASE_URL, or Vercel's production domain): a request's X-Forwarded-Host is whatever its sender wrote,
 * and a redirect URI built from it would send Microsoft's authorization codes there. In development, without
 * APP_BASE_URL, the Host header of the request (the dev server answers it directly) and a warning.
 */
export function publicBaseUrl(headers: Headers): string {
  const configured = getEnv().publicBaseUrl;
  if (configured) return configured;
  if (process.env.NODE_ENV === 'production')
    throw new AppError(
      'deployment.base_url_missing',
      'APP_BASE_URL is not set, so this console cannot build its sign-in callback URL. Set APP_BASE_URL to its public URL and restart.',
    );
  if (!warned.__mailgateBaseUrlWarned) {
    warned.__mailgateBaseUrlWarned = true;
    console.warn(
      'APP_BASE_URL is not set: callback URLs use the Host header of each request. Set APP_BASE_URL to the URL people open.',
    );
  }
  const host = headers.get('host')?.trim() ?? '';
  return `http://${HOST.test(host) ? host : 'localhost:3000'}`;
}

/** False when the public URL comes from each request's Host header (development without APP_BASE_URL). */
export function isPublicBaseUrlConfigured(): boolean {
  return Boolean(getEnv().publicBaseUrl);
}

/**
 * The origin for a Microsoft sign-in's redirect URI. A Vercel preview deployment has its own URL, which no app
 * registration lists, while its redirect URI would name the production domain: Microsoft would send the code to
 * production, where this preview's flow does not exist. So previews refuse, saying so.
 */
export function redirectBaseUrl(headers: Headers): Result<{ url: string }, Failure<'deployment.preview'>> {
  if (isPreviewDeployment())
    return fail(
      'deployment.preview',
      'This is a preview deployment: mailboxes cannot be connected here. Microsoft returns sign-ins only to the production URL registered in Azure; connect mailboxes on the production deployment.',
    );
  return { ok: true, url: publicBaseUrl(headers) };
}

export function isPreviewDeployment(): boolean {
  return getEnv().VERCEL_ENV === 'preview';
}

/**
 * Checks made once when the web server starts. Production must know its public URL (a bad or missing one fails
 * here, not at the first sign-in). Auth.js v5 builds its own URLs from AUTH_URL, and without it from
 * X-Forwarded-Host or Host (next-auth lib/env.js `reqWithEnvURL`, @auth/core `createActionURL`): AUTH_URL is set
 * to the same origin, so Auth.js never follows a forwarded host either; one that names another origin is refused.
 */
export function alignServerUrls(env: Env, processEnv: NodeJS.ProcessEnv = process.env): void {
  const base = env.publicBaseUrl;
  if (!base) {
    if (processEnv.NODE_ENV === 'production')
      throw new ConfigError(
        "Invalid configuration: APP_BASE_URL is required in production: set it to the console's public URL, e.g. https://mail.example.com (the sign-in callback URL registered in Azure is built from it)",
      );
    return;
  }
  const authUrl = processEnv.AUTH_URL ?? processEnv.NEXTAUTH_URL;
  if (authUrl && (!URL.canParse(authUrl) || new URL(authUrl).origin !== base))
    throw new ConfigError(
      `Invalid configuration: AUTH_URL names another origin than APP_BASE_URL (${base}): unset AUTH_URL, APP_BASE_URL is enough`,
    );
  processEnv.AUTH_URL = base;
}
