import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { checkBuildEnvironment } from './lib/config/deployment-env';
import { SERVER_ACTION_BODY_LIMIT } from './lib/http/server-action-guard';

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
];

// Routes that send their own headers, because a header set here wins over the route's own: Next applies these
// rules to the response after the route handler ran, replacing a header of the same name (measured on
// `next start` 16.4: the downloads' own `default-src 'none'; sandbox` arrived as the baseline below).
// Rules: https://nextjs.org/docs/app/api-reference/config/next-config-js/headers
// - The message body is framed by the message page: its strict CSP (frame-ancestors 'self', sandbox),
//   X-Frame-Options SAMEORIGIN and Referrer-Policy no-referrer are its own (lib/messages/body-response.ts).
// - Downloads (the raw source, attachments) are mail from anyone: `default-src 'none'; sandbox` (lib/messages/
//   download-responses.ts), so one a browser renders anyway runs nothing, in an opaque origin.
// Their refusals (401, 404, the sign-in redirect) set the same three themselves (lib/messages/route-auth.ts).
const MESSAGE_BODY = 'api/v1/messages/[^/]+/body';
const DOWNLOADS = 'api/v1/messages/[^/]+/(?:source|attachments/[^/]+)';
const OWN_BODY_HEADERS = new Set(['X-Frame-Options', 'Content-Security-Policy', 'Referrer-Policy']);
const messageBodyHeaders = securityHeaders.filter((header) => !OWN_BODY_HEADERS.has(header.key));
const downloadHeaders = securityHeaders.filter((header) => header.key !== 'Content-Security-Policy');

// Over https only: a browser ignores HSTS received over plain http (RFC 6797 §8.1), and localhost must stay
// reachable over http. `next start` fills X-Forwarded-Proto from its socket unless a TLS proxy in front already
// said https. Two years, subdomains included, no preload (that is an opt-in list):
// https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html
const HSTS = { key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' };

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The same limit proxy.ts enforces first, with a 413 instead of Next's 500 (lib/http/server-action-guard.ts).
  experimental: { serverActions: { bodySizeLimit: SERVER_ACTION_BODY_LIMIT } },
  // A self-contained server (.next/standalone/server.js with the node_modules it needs): what the container runs.
  output: 'standalone',
  // Native, wasm or stream-heavy server libraries run from node_modules instead of being bundled
  // (PGlite's wasm in particular must not be bundled).
  serverExternalPackages: [
    '@electric-sql/pglite',
    'postgres',
    'pino',
    'imapflow',
    'mailparser',
    'nodemailer',
    '@azure/msal-node',
  ],
  // Migrations are read at run time (embedded mode migrates on start), so deployments must ship them.
  outputFileTracingIncludes: { '/**': ['./drizzle/**/*'] },
  async headers() {
    return [
      { source: `/:path((?!${MESSAGE_BODY}$|${DOWNLOADS}$).*)`, headers: securityHeaders },
      { source: `/:path(${MESSAGE_BODY})`, headers: messageBodyHeaders },
      { source: `/:path(${DOWNLOADS})`, headers: downloadHeaders },
      {
        source: '/:path*',
        has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https(?:\\s*,.*)?' }],
        headers: [HSTS],
      },
    ];
  },
};

export default function config(phase: string): NextConfig {
  // A malformed deployment variable fails the build, not the requests after it (lib/config/deployment-env.ts).
  if (phase === PHASE_PRODUCTION_BUILD) {
    try {
      checkBuildEnvironment(process.env);
    } catch (error) {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    }
  }
  return nextConfig;
}
