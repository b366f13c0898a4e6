import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { checkBuildEnvironment } from './lib/config/deployment-env';

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Content-Security-Policy', value: "frame-ancestors 'none'; base-uri 'self'; object-src 'none'" },
];

// A message's HTML body is framed by the message page: its route sends its own strict CSP (frame-ancestors
// 'self'), X-Frame-Options SAMEORIGIN and Referrer-Policy no-referrer. Headers set here win over a route's own,
// so those three must not reach it (its refusals set their own, see lib/messages/route-auth.ts).
const MESSAGE_BODY = 'api/v1/messages/[^/]+/body';
const OWN_BODY_HEADERS = new Set(['X-Frame-Options', 'Content-Security-Policy', 'Referrer-Policy']);
const messageBodyHeaders = securityHeaders.filter((header) => !OWN_BODY_HEADERS.has(header.key));

const nextConfig: NextConfig = {
  poweredByHeader: false,
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
      { source: `/:path((?!${MESSAGE_BODY}$).*)`, headers: securityHeaders },
      { source: `/:path(${MESSAGE_BODY})`, headers: messageBodyHeaders },
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
